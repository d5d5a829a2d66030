/**
 * What a task owes after its result: its receipt kept in the history and its
 * executor paid. Both run behind the result (issue 16: the submitter has its
 * verified output one IndexedDB write and one co-signing round trip sooner)
 * but nothing is dropped: each settlement is tracked until it ends, reading
 * the ledger or the history waits for those under way (`settled`), a peer
 * stops only once they all ended, and at most `limit` run at once — the
 * next submission waits for the oldest to end, so a burst of tasks cannot
 * pile up unpaid work without bound. A tab closed meanwhile cannot wait:
 * a receipt it kept but did not pay is kept as owed, and the peer's next
 * start pays it (owed-receipts.ts).
 *
 * Order: a settlement starts in the turn its result came, so the receipts
 * are written in that order (the store's transactions run in the order they
 * were made); payments to one executor are serialised by its channel's lock
 * in the order they were asked for (economy/payments ChannelBook.locked).
 */

/** Settlements under way at most, by default, before a new submission waits for the oldest. */
export const DEFAULT_SETTLEMENT_LIMIT = 16

export class Settlements {
  readonly #limit: number
  /** The settlements under way, oldest first. */
  readonly #pending: Array<Promise<void>> = []

  /** Throws RangeError unless `limit` is an integer ≥ 1. */
  constructor (limit = DEFAULT_SETTLEMENT_LIMIT) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`the settlement limit must be an integer ≥ 1, got ${limit}`)
    this.#limit = limit
  }

  /** How many settlements are under way. */
  get size (): number {
    return this.#pending.length
  }

  /**
   * Tracks `settlement` until it ends (it must not reject: its failures are
   * the caller's to report), then resolves once fewer than the limit are
   * under way — at once, unless a burst is still being settled.
   */
  async track (settlement: Promise<void>): Promise<void> {
    const tracked: Promise<void> = settlement.catch(() => {}).finally(() => {
      const at = this.#pending.indexOf(tracked)
      if (at >= 0) this.#pending.splice(at, 1)
    })
    this.#pending.push(tracked)
    while (this.#pending.length > this.#limit) await this.#pending[0]
  }

  /** Resolves once every settlement under way when called (and any started meanwhile) has ended. */
  async settled (): Promise<void> {
    while (this.#pending.length > 0) await Promise.all(this.#pending)
  }
}
