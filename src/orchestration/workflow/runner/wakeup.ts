/**
 * How the runner's loop waits: until a time (the scheduler's next backoff or
 * timeout) or until something it waits on happens — a unit ended, the run
 * was canceled or stopped — whichever comes first. A poke while the loop is
 * not asleep is remembered, so the next sleep returns at once and no news is
 * lost between looking and sleeping.
 */
export class Wakeup {
  #poked = false
  #wake: (() => void) | undefined

  /** Resolves after `ms` (never, when undefined) or at the next poke; at once when a poke came since the last sleep or clear. */
  async sleep (ms: number | undefined): Promise<void> {
    if (this.#poked) {
      this.#poked = false
      return
    }
    await new Promise<void>(resolve => {
      const timer = ms === undefined ? undefined : setTimeout(() => { this.#wake = undefined; resolve() }, ms)
      this.#wake = () => { clearTimeout(timer); this.#wake = undefined; resolve() }
    })
    this.#poked = false
  }

  /** Ends the sleep under way, or the next one before it starts. */
  poke (): void {
    this.#poked = true
    this.#wake?.()
  }

  /** Forgets a poke not yet slept on: the loop is about to look at everything anyway. */
  clear (): void {
    this.#poked = false
  }
}
