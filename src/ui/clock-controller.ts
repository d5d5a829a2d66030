import type { ReactiveController, ReactiveControllerHost } from 'lit'

/**
 * Re-renders its host every `intervalMs` while `running` is true, for live
 * counters; stops with the host so no timer outlives a removed element.
 */
export class ClockController implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #intervalMs: number
  #timer: ReturnType<typeof setInterval> | undefined
  #running = false
  #connected = false

  constructor (host: ReactiveControllerHost, intervalMs: number) {
    this.#host = host
    this.#intervalMs = intervalMs
    host.addController(this)
  }

  get running (): boolean {
    return this.#running
  }

  /** Starts or stops ticking; cheap to call on every update. */
  set running (on: boolean) {
    this.#running = on
    this.#sync()
  }

  hostConnected (): void {
    this.#connected = true
    this.#sync()
  }

  hostDisconnected (): void {
    this.#connected = false
    this.#sync()
  }

  #sync (): void {
    const tick = this.#running && this.#connected
    if (tick && this.#timer === undefined) {
      this.#timer = setInterval(() => { this.#host.requestUpdate() }, this.#intervalMs)
    } else if (!tick && this.#timer !== undefined) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
  }
}
