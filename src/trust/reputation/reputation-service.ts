/**
 * A peer's own reputation book, kept: restored from the store at start (reset,
 * with a message, when unusable), written back a moment after each change,
 * with the peer's policy (half-life, blacklisting) and its whitelist.
 */
import { Debounced, noopLogger, warnOn } from '../../core/index.ts'
import type { Logger } from '../../core/index.ts'
import type { StateStore } from '../../storage/index.ts'
import type { Outcome } from './constants.ts'
import { InvalidReputationOptionsError } from './errors.ts'
import { ReputationBook } from './reputation.ts'
import type { ReputationBookOptions } from './reputation.ts'

/** The configurable part of a reputation book's options. */
export type ReputationPolicy = Pick<ReputationBookOptions, 'halfLifeMs' | 'blacklistThreshold' | 'blacklistMs'>

export interface ReputationServiceComponents {
  store: StateStore
  logger?: Logger
}

export interface ReputationServiceInit {
  /** The book's clock. Default: Date.now. */
  now?(): number
  /** The book or the policy changed. */
  onChange?(): void
  /** The saved book could not be used and was reset; says why. */
  onReset?(message: string): void
}

/** How long after a change the book is written (changes in between make one write). */
const SAVE_DELAY_MS = 2000

export class ReputationService {
  private bookValue: ReputationBook
  private policyValue: ReputationPolicy = {}
  private readonly components: ReputationServiceComponents
  private readonly init: ReputationServiceInit
  private readonly now: () => number
  private readonly logger: Logger
  private readonly saving: Debounced
  private started = false

  constructor (components: ReputationServiceComponents, init: ReputationServiceInit = {}) {
    this.components = components
    this.init = init
    this.now = init.now ?? Date.now
    this.logger = components.logger ?? noopLogger
    this.saving = new Debounced(() => { this.save() }, SAVE_DELAY_MS)
    this.bookValue = new ReputationBook({ now: this.now })
  }

  /** The book: replaced when restored and when the policy changes (hold the service, not the book). */
  get book (): ReputationBook {
    return this.bookValue
  }

  /** This peer's choices of half-life and blacklisting; the defaults where unset. */
  get policy (): ReputationPolicy {
    return { ...this.policyValue }
  }

  /** Restores what was kept. Safe to call twice. */
  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    const { store } = this.components
    try {
      const policy = await store.loadState('reputation-policy')
      if (policy !== undefined) this.policyValue = checkReputationPolicy(policy)
      const saved = await store.loadState('reputation')
      this.bookValue = saved === undefined
        ? new ReputationBook({ ...this.policyValue, now: this.now })
        : ReputationBook.fromJSON(saved, { ...this.policyValue, now: this.now })
    } catch (err) {
      this.policyValue = {}
      await store.deleteState('reputation-policy')
      await store.deleteState('reputation')
      this.init.onReset?.(`the saved reputation book was unusable and has been reset (${(err as Error).message})`)
    }
  }

  /** Writes what is pending now. Safe to call twice. */
  stop (): void {
    this.started = false
    this.saving.flush()
  }

  /** Records an outcome of `peerId`'s work; `proven` blacklists a wrong result at once. */
  record (peerId: string, outcome: Outcome, options: { proven?: boolean } = {}): void {
    this.bookValue.record(peerId, outcome, options)
    this.changed()
  }

  /**
   * Changes how this peer keeps reputation (half-life, blacklist threshold and
   * duration; the defaults for what is left out) and keeps the choice. The
   * book keeps its records and applies the new policy from now on.
   */
  async setPolicy (policy: ReputationPolicy): Promise<void> {
    const checked = checkReputationPolicy(policy)
    // Built before anything changes: bad values throw InvalidReputationOptionsError and leave the book as it was.
    const book = ReputationBook.fromJSON(this.bookValue.toJSON(), { ...checked, now: this.now })
    this.bookValue = book
    this.policyValue = checked
    await this.components.store.saveState('reputation-policy', checked)
    this.changed()
  }

  /** Puts `peerId` on the whitelist (or takes it off) and keeps that. */
  whitelist (peerId: string, on: boolean): void {
    if (on) this.bookValue.allow(peerId)
    else this.bookValue.disallow(peerId)
    this.changed()
  }

  private changed (): void {
    this.init.onChange?.()
    this.saving.schedule()
  }

  private save (): void {
    this.components.store.saveState('reputation', this.bookValue.toJSON()).catch(warnOn(this.logger, 'saving the reputation book'))
  }
}

/** A copy of `value` holding only the policy's members, each a number when present (the book checks the ranges). */
export function checkReputationPolicy (value: unknown): ReputationPolicy {
  if (typeof value !== 'object' || value === null) throw new InvalidReputationOptionsError('a reputation policy is an object')
  const policy: ReputationPolicy = {}
  for (const key of ['halfLifeMs', 'blacklistThreshold', 'blacklistMs'] as const) {
    const field = (value as Record<string, unknown>)[key]
    if (field === undefined) continue
    if (typeof field !== 'number') throw new InvalidReputationOptionsError(`${key} must be a number`)
    policy[key] = field
  }
  return policy
}
