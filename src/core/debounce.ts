/**
 * Runs an action once, a while after the first of a burst of requests: the
 * way a service writes learnt state (a routing table, a reputation book, a
 * card index) a moment after it changes, whatever number of changes came in
 * between.
 */
export class Debounced {
  private readonly action: () => void
  private readonly delayMs: number
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor (action: () => void, delayMs: number) {
    this.action = action
    this.delayMs = delayMs
  }

  /** Runs the action `delayMs` from now, unless a run is already due. */
  schedule (): void {
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.action()
    }, this.delayMs)
  }

  /** Runs a due action now. */
  flush (): void {
    if (this.timer === undefined) return
    this.cancel()
    this.action()
  }

  /** Drops a due action. */
  cancel (): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }
}
