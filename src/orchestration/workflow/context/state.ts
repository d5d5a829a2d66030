/**
 * A run's shared context on one replica (docs/workflow-context.md §5): the
 * signed entries it has accepted, and the JSON object a step sees
 * (/work/context.json). Pure: no I/O, no clock.
 *
 * The state is a function of the set of entries applied, never of the order
 * they arrived in: every key keeps a join-semilattice (Shapiro et al. 2011,
 * "Conflict-free Replicated Data Types"), so any two replicas that applied
 * the same entries, in any order, or merged each other's states, hold the
 * same value() and the same hash().
 *
 * - append: the entries in order (lamport, writer), one per (writer, lamport)
 *   slot — the one with the lowest entry hash if a writer signed two — and
 *   only the first `maxEntries` of that order.
 * - sum: as append, and the value is the total of the deltas, added in that
 *   order (so even fractional totals are bit-identical): a G-counter whose
 *   contributions are deduplicated by (writer, lamport).
 * - min / max: the least / greatest value; ties go to the earliest (lamport, writer, hash).
 * - lww: the greatest (lamport, writer); within one slot, the lowest hash.
 *
 * @example
 * const state = new ContextState({ contextId: run.runId, schema })
 * state.apply(await signContextEntry({ contextId, key: 'processed', value: 3, writer, lamport: nextLamport(state.clock), at, publicKey }, identity))
 * state.value() // { processed: 3, findings: [] }
 */
import { canonicalize, sha256Hex, utf8ToBytes } from '../../../core/index.ts'
import { contextEntryHash, isContextId, verifyContextEntry } from './entry.ts'
import type { ContextEntry } from './entry.ts'
import { ContextEntryLimitError, ContextIdMismatchError, ContextWriterNotAllowedError } from './errors.ts'
import { checkContextSchema, checkContextValue } from './schema.ts'
import type { ContextKeySpec, ContextSchema } from './schema.ts'

export interface ContextStateInit {
  /** The run's id: entries of any other context are refused. */
  contextId: string
  /** The context's schema, checked (checkContextSchema) or as written. */
  schema: ContextSchema | Record<string, unknown>
  /** The PeerIds allowed to write (the run's participants); anyone with a valid signature when absent. */
  writers?: Iterable<string>
}

/**
 * What apply did: `applied`, the entry is now part of the context (and
 * `evicted` lists the hashes of append or sum entries it pushed past the
 * key's `maxEntries`); `duplicate`, it already was; `outranked`, it is
 * authentic and fits its rule but loses to what the key holds (an older lww
 * write, a min above the minimum, the other of two entries a writer signed
 * for one slot). `equivocation` is true when its writer signed another entry
 * for the same key and lamport.
 */
export interface ContextApplyResult {
  outcome: 'applied' | 'duplicate' | 'outranked'
  /** contextEntryHash of the entry. */
  hash: string
  evicted: string[]
  equivocation: boolean
}

interface Held {
  entry: ContextEntry
  hash: string
}

/** Which of two entries comes first in a key's order: (lamport, writer), then entry hash. */
function compareHeld (a: Held, b: Held): number {
  return a.entry.lamport - b.entry.lamport || compareText(a.entry.writer, b.entry.writer) || compareText(a.hash, b.hash)
}

/** By UTF-16 code units, as RFC 8785 sorts: the same on every replica, whatever its locale. */
function compareText (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

const sameSlot = (a: Held, b: Held): boolean => a.entry.lamport === b.entry.lamport && a.entry.writer === b.entry.writer

export class ContextState {
  readonly contextId: string
  readonly schema: ContextSchema
  private readonly writers: ReadonlySet<string> | undefined
  /** append and sum keys: their entries in order, one per slot, at most maxEntries. */
  private readonly lists = new Map<string, Held[]>()
  /** min, max and lww keys: their winner. */
  private readonly winners = new Map<string, Held>()
  private highestLamport = 0

  constructor (init: ContextStateInit) {
    if (!isContextId(init.contextId)) throw new TypeError('contextId must be 1 to 128 characters of [A-Za-z0-9_-]')
    this.contextId = init.contextId
    this.schema = checkContextSchema(init.schema)
    this.writers = init.writers === undefined ? undefined : new Set(init.writers)
  }

  /** The highest lamport among the entries applied (outranked and evicted ones too): a writer's next write is nextLamport(state.clock). */
  get clock (): number {
    return this.highestLamport
  }

  /**
   * Verifies the entry (unless signContextEntry or verifyContextEntry made
   * it), checks it belongs here and fits its key's rule, and merges it.
   * Throws, leaving the state unchanged, for a forged or malformed entry
   * (the entry format's errors), another context (ContextIdMismatchError), a
   * writer not allowed (ContextWriterNotAllowedError), an undeclared key
   * (UndeclaredContextKeyError), a value the rule does not take
   * (ContextRuleViolationError), a value above the key's maxBytes or an
   * append or sum entry beyond its maxEntries (ContextEntryLimitError).
   */
  apply (value: unknown): ContextApplyResult {
    const entry = verifyContextEntry(value)
    const spec = this.check(entry)
    const held = { entry, hash: contextEntryHash(entry) }
    if (entry.lamport > this.highestLamport) this.highestLamport = entry.lamport
    return spec.rule === 'append' || spec.rule === 'sum' ? this.insert(held, spec) : this.contend(held, spec)
  }

  /**
   * Applies every entry `other` holds (same context, same schema), skipping
   * those beyond a key's maxEntries here; afterwards this state is the merge
   * of both, which is the same whichever merged into which.
   */
  merge (other: ContextState): void {
    if (other.contextId !== this.contextId) throw new ContextIdMismatchError(`cannot merge context ${other.contextId} into ${this.contextId}`)
    if (canonicalize(other.schema) !== canonicalize(this.schema)) throw new TypeError(`cannot merge states of context ${this.contextId} with different schemas`)
    for (const entry of other.entries()) {
      try {
        this.apply(entry)
      } catch (err) {
        if (!(err instanceof ContextEntryLimitError)) throw err
      }
    }
  }

  /** Every entry the context holds (losers and evicted entries are not kept), by key, then in each key's order: what a new replica needs. */
  entries (): ContextEntry[] {
    return this.keys().flatMap(key => this.held(key).map(held => held.entry))
  }

  /**
   * The context as a step sees it (/work/context.json): declared key →
   * value, keys sorted. append gives the values in order ([] before any
   * entry), sum the total (0 before any); min, max and lww keys nobody wrote
   * are absent. Values are frozen; the object and arrays are fresh.
   */
  value (): Record<string, unknown> {
    const result: Record<string, unknown> = {}
    for (const key of this.keys()) {
      const { rule } = this.schema[key]!
      const held = this.held(key)
      if (rule === 'append') {
        result[key] = held.map(({ entry }) => entry.value)
      } else if (rule === 'sum') {
        // In the key's order, so that a fractional total is the same bits on every replica.
        result[key] = held.reduce((total, { entry }) => total + (entry.value as number), 0)
      } else if (held[0] !== undefined) {
        result[key] = held[0].entry.value
      }
    }
    return result
  }

  /** SHA-256 of the canonical JSON of `{ contextId, keys: { key: [entry hashes in order] } }`: equal on two replicas exactly when they hold the same entries. */
  hash (): string {
    const keys: Record<string, string[]> = {}
    for (const key of this.keys()) keys[key] = this.held(key).map(held => held.hash)
    return sha256Hex(utf8ToBytes(canonicalize({ contextId: this.contextId, keys })))
  }

  private keys (): string[] {
    return Object.keys(this.schema).sort(compareText)
  }

  private held (key: string): Held[] {
    const { rule } = this.schema[key]!
    if (rule === 'append' || rule === 'sum') return this.lists.get(key) ?? []
    const winner = this.winners.get(key)
    return winner === undefined ? [] : [winner]
  }

  /** The checks that depend on the context but not on its state, so an entry is refused the same way on every replica. */
  private check (entry: ContextEntry): ContextKeySpec {
    if (entry.contextId !== this.contextId) throw new ContextIdMismatchError(`entry of ${entry.writer} is for context ${entry.contextId}, not ${this.contextId}`)
    if (this.writers !== undefined && !this.writers.has(entry.writer)) {
      throw new ContextWriterNotAllowedError(`${entry.writer} is not a writer of context ${this.contextId}`)
    }
    return checkContextValue(this.schema, entry.key, entry.value)
  }

  /** append and sum: the entry joins its key's ordered list, one entry per slot, the first maxEntries kept. */
  private insert (held: Held, spec: ContextKeySpec): ContextApplyResult {
    const key = held.entry.key
    const list = this.lists.get(key) ?? []
    // Binary search for the first held entry whose slot is not before `held`'s in (lamport, writer) order.
    const before = (other: Held): boolean =>
      other.entry.lamport < held.entry.lamport || (other.entry.lamport === held.entry.lamport && compareText(other.entry.writer, held.entry.writer) < 0)
    let low = 0
    let high = list.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (before(list[middle]!)) low = middle + 1
      else high = middle
    }
    const occupant = list[low]
    if (occupant !== undefined && sameSlot(occupant, held)) {
      if (occupant.hash === held.hash) return { outcome: 'duplicate', hash: held.hash, evicted: [], equivocation: false }
      // Two entries by one writer for one slot: the lowest hash holds it, whichever came first.
      if (compareText(held.hash, occupant.hash) > 0) return { outcome: 'outranked', hash: held.hash, evicted: [], equivocation: true }
      list[low] = held
      return { outcome: 'applied', hash: held.hash, evicted: [], equivocation: true }
    }
    if (low >= spec.maxEntries) {
      throw new ContextEntryLimitError(key, `already holds ${spec.maxEntries} entries before lamport ${held.entry.lamport} of ${held.entry.writer}`)
    }
    list.splice(low, 0, held)
    const evicted = list.length > spec.maxEntries ? list.splice(spec.maxEntries).map(cut => cut.hash) : []
    this.lists.set(key, list)
    return { outcome: 'applied', hash: held.hash, evicted, equivocation: false }
  }

  /** min, max and lww: the entry replaces the key's winner if it beats it. */
  private contend (held: Held, spec: ContextKeySpec): ContextApplyResult {
    const key = held.entry.key
    const winner = this.winners.get(key)
    if (winner?.hash === held.hash) return { outcome: 'duplicate', hash: held.hash, evicted: [], equivocation: false }
    const equivocation = winner !== undefined && sameSlot(winner, held)
    if (winner === undefined || beats(held, winner, spec)) {
      this.winners.set(key, held)
      return { outcome: 'applied', hash: held.hash, evicted: [], equivocation }
    }
    return { outcome: 'outranked', hash: held.hash, evicted: [], equivocation }
  }
}

/** True when `challenger` should hold a min, max or lww key instead of `holder`; a total order, so the winner is the same in any order. */
function beats (challenger: Held, holder: Held, spec: ContextKeySpec): boolean {
  if (spec.rule === 'lww') {
    // Greatest (lamport, writer); one writer's two entries for one slot: the lowest hash, as in append and sum.
    const order = challenger.entry.lamport - holder.entry.lamport || compareText(challenger.entry.writer, holder.entry.writer)
    return order > 0 || (order === 0 && compareText(challenger.hash, holder.hash) < 0)
  }
  const difference = (challenger.entry.value as number) - (holder.entry.value as number)
  if (difference !== 0) return spec.rule === 'min' ? difference < 0 : difference > 0
  return compareHeld(challenger, holder) < 0
}
