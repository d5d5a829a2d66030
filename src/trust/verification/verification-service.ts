/**
 * A peer's own book of checked work, kept: restored from the store at start
 * (reset, with a message, when unusable), written back a moment after each
 * check, with the verification policy the peer uses (defaults, but with the
 * task's value measured in µ of its budget: referenceValue is the default
 * budget, DEFAULT_MAX_TOTAL_PRICE).
 */
import { Debounced, noopLogger, warnOn } from '../../core/index.ts'
import type { Logger } from '../../core/index.ts'
import { DEFAULT_MAX_TOTAL_PRICE } from '../../core/limits.ts'
import type { StateStore } from '../../storage/index.ts'
import { CheckedWorkBook } from './checked-work-book.ts'
import { checkVerificationPolicy } from './policy.ts'
import type { CheckedRecord, FullVerificationPolicy, VerificationPolicy } from './policy.ts'

export interface VerificationServiceComponents {
  store: StateStore
  logger?: Logger
}

export interface VerificationServiceInit {
  /** The book's clock. Default: Date.now. */
  now?(): number
  /** The policy; unset fields take the defaults, and referenceValue DEFAULT_MAX_TOTAL_PRICE (µ). */
  policy?: VerificationPolicy
  /** A check was recorded. */
  onChange?(): void
  /** The saved book could not be used and was reset; says why. */
  onReset?(message: string): void
}

/** How long after a check the book is written (checks in between make one write). */
const SAVE_DELAY_MS = 2000

/** The state key the book is kept under. */
const STATE_KEY = 'checked-work'

export class VerificationService {
  readonly policy: FullVerificationPolicy
  private bookValue: CheckedWorkBook
  private readonly components: VerificationServiceComponents
  private readonly init: VerificationServiceInit
  private readonly now: () => number
  private readonly logger: Logger
  private readonly saving: Debounced
  private started = false

  constructor (components: VerificationServiceComponents, init: VerificationServiceInit = {}) {
    this.components = components
    this.init = init
    this.now = init.now ?? Date.now
    this.logger = components.logger ?? noopLogger
    this.policy = checkVerificationPolicy({ referenceValue: DEFAULT_MAX_TOTAL_PRICE, ...init.policy })
    this.saving = new Debounced(() => { this.save() }, SAVE_DELAY_MS)
    this.bookValue = new CheckedWorkBook({ now: this.now })
  }

  /** The book: replaced when restored (hold the service, not the book). */
  get book (): CheckedWorkBook {
    return this.bookValue
  }

  /** Restores what was kept. Safe to call twice. */
  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    const { store } = this.components
    try {
      const saved = await store.loadState(STATE_KEY)
      if (saved !== undefined) this.bookValue = CheckedWorkBook.fromJSON(saved, { now: this.now })
    } catch (err) {
      await store.deleteState(STATE_KEY)
      this.init.onReset?.(`the saved book of checked work was unusable and has been reset (${(err as Error).message})`)
    }
  }

  /** Writes what is pending now. Safe to call twice. */
  stop (): void {
    this.started = false
    this.saving.flush()
  }

  /** A check confirmed `peerId`'s result. */
  confirm (peerId: string): CheckedRecord {
    const record = this.bookValue.confirm(peerId)
    this.changed()
    return record
  }

  /** A check, and the arbitration after it, contradicted `peerId`'s result. */
  contradict (peerId: string): CheckedRecord {
    const record = this.bookValue.contradict(peerId)
    this.changed()
    return record
  }

  private changed (): void {
    this.init.onChange?.()
    this.saving.schedule()
  }

  private save (): void {
    this.components.store.saveState(STATE_KEY, this.bookValue.toJSON()).catch(warnOn(this.logger, 'saving the book of checked work'))
  }
}
