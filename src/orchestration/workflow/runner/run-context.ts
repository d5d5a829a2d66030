/**
 * The submitter's side of a run's shared context (docs/workflow-context.md
 * §6): the run's ContextState, what a `read` step is given
 * (/work/context.json) and how a `write` step's updates file
 * (/work/context-updates.json, among its output files, which its receipt
 * covers) becomes entries the submitter signs, citing the receipt, and
 * applies. The entries go into the step's `succeeded` event, so a resumed
 * run rebuilds the same context from its log (restore).
 *
 * All or nothing: a file that breaks its rules — malformed, an undeclared
 * key, a value its rule does not take, an append past maxEntries — is
 * refused whole, with the error's name and message kept on the step's
 * event. The step itself still succeeded: its executor ran it as asked and
 * its receipt is paid once, like any other result ("nothing paid wrongly":
 * only the updates are not applied).
 */
import { bytesToBase64Url, sha256Hex } from '../../../core/index.ts'
import type { PeerIdentity } from '../../../crypto/index.ts'
import {
  CONTEXT_INPUT_PATH, CONTEXT_UPDATES_PATH, ContextEntryLimitError, ContextState, contextInputBytes, nextLamport, proposalsFromOutput, signContextEntry
} from '../context/index.ts'
import type { ContextApplyResult, ContextEntry, ContextSchema } from '../context/index.ts'
import type { RunEvent, StepContextOutcome } from '../scheduler/index.ts'
import type { StepContextUse } from '../spec/index.ts'

/** Task directory paths (relative to /work, as task files are named) of the context's input and updates files. */
export const CONTEXT_INPUT_FILE = CONTEXT_INPUT_PATH.replace(/^\/work\//, '')
export const CONTEXT_UPDATES_FILE = CONTEXT_UPDATES_PATH.replace(/^\/work\//, '')

export const readsContext = (use: StepContextUse | undefined): boolean => use === 'read' || use === 'read-write'
export const writesContext = (use: StepContextUse | undefined): boolean => use === 'write' || use === 'read-write'

/** What a reading step is given: the canonical JSON of the context's value, as text, and its SHA-256 (part of the step's memo key). */
export interface ContextInput {
  text: string
  hash: string
}

/** The context as the view and other replicas see it. */
export interface RunContextSnapshot {
  /** ContextState.hash(): equal on two replicas exactly when they hold the same entries. */
  hash: string
  value: Record<string, unknown>
  schema: ContextSchema
  entries: ContextEntry[]
}

export class RunContext {
  readonly state: ContextState
  readonly #signer: PeerIdentity | undefined
  /** The highest lamport handed out for entries being signed, so two steps finishing together never share a slot. */
  #reserved = 0

  constructor (contextId: string, schema: Record<string, unknown>, signer: PeerIdentity | undefined) {
    this.state = new ContextState({ contextId, schema })
    this.#signer = signer
  }

  /** Applies the entries of every `succeeded` event of a stored log (verifying each: a log is data), so a resumed run has the context it had. */
  restore (events: readonly RunEvent[]): void {
    for (const event of events) {
      if (event.type !== 'succeeded') continue
      for (const entry of event.context?.entries ?? []) this.#applyQuietly(entry)
    }
  }

  input (): ContextInput {
    const bytes = contextInputBytes(this.state.value())
    return { text: new TextDecoder().decode(bytes), hash: sha256Hex(bytes) }
  }

  snapshot (): RunContextSnapshot {
    return { hash: this.state.hash(), value: this.state.value(), schema: this.state.schema, entries: this.state.entries() }
  }

  /**
   * Signs the step's proposals as the submitter, citing `receiptHash`.
   * Resolves with the entries, or with why the whole file is refused; no
   * updates file is no entries. Nothing is applied yet: see commit.
   */
  async propose (updates: Uint8Array | undefined, receiptHash: string, at: number): Promise<StepContextOutcome> {
    if (updates === undefined) return { entries: [] }
    try {
      if (this.#signer === undefined) throw new TypeError('this runner has no identity to sign context entries with')
      const signer = this.#signer
      const lamportStart = nextLamport(Math.max(this.state.clock, this.#reserved))
      const unsigned = proposalsFromOutput(updates, {
        contextId: this.state.contextId, writer: signer.peerId.toString(), publicKey: bytesToBase64Url(signer.publicKey),
        lamportStart, at, receiptHash, schema: this.state.schema
      })
      this.#reserved = Math.max(this.#reserved, lamportStart + unsigned.length - 1)
      return { entries: await Promise.all(unsigned.map(async fields => signContextEntry(fields, signer))) }
    } catch (err) {
      return { entries: [], refused: describe(err) }
    }
  }

  /**
   * Applies a proposal's entries, all or none: they are first applied to a
   * copy, so one that the state refuses (an append past maxEntries) refuses
   * them all. Synchronous, so the caller records the outcome in the same
   * turn. Returns the outcome as it is to be logged.
   */
  commit (outcome: StepContextOutcome): StepContextOutcome {
    if (outcome.refused !== undefined || outcome.entries.length === 0) return outcome
    const trial = new ContextState({ contextId: this.state.contextId, schema: this.state.schema })
    try {
      trial.merge(this.state)
      for (const entry of outcome.entries) trial.apply(entry)
    } catch (err) {
      return { entries: [], refused: describe(err) }
    }
    for (const entry of outcome.entries) this.state.apply(entry)
    return outcome
  }

  #applyQuietly (entry: unknown): ContextApplyResult | undefined {
    try {
      return this.state.apply(entry)
    } catch (err) {
      // Accepted when it was logged, and pushed past maxEntries since: the same as not being in the context (§5).
      if (err instanceof ContextEntryLimitError) return undefined
      throw err
    }
  }
}

function describe (err: unknown): { name: string, message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }
}
