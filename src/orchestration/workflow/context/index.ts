/**
 * A workflow run's shared context (docs/workflow-context.md): a key–value
 * memory per run (contextId), replicated among the run's participants. Each
 * key declares a merge rule (append, min, max, sum, last-writer-wins by
 * Lamport clock); each entry is signed by its writer; the merge is a
 * function of the set of entries, so every replica converges to the same
 * state. Steps read it from /work/context.json and propose updates in
 * /work/context-updates.json, which the submitter signs and applies. Pure:
 * no I/O, no clock.
 *
 * @example
 * ```ts
 * import { ContextState, checkContextSchema, nextLamport, signContextEntry } from './orchestration/workflow/context/index.ts'
 *
 * const schema = checkContextSchema({ seen: { rule: 'append' }, best: { rule: 'max' }, done: { rule: 'sum' } })
 * const state = new ContextState({ contextId: run.runId, schema })
 * state.apply(await signContextEntry({ contextId: run.runId, key: 'done', value: 1, writer, lamport: nextLamport(state.clock), at: Date.now(), publicKey }, identity))
 * state.value() // { done: 1, seen: [] } (best is absent until written)
 * ```
 */
export * from './constants.ts'
export * from './errors.ts'
export { CONTEXT_SCHEMA_JSON_SCHEMA, checkContextSchema, checkContextValue, isContextKey, worstCaseContextBytes } from './schema.ts'
export type { ContextKeyDeclaration, ContextKeySpec, ContextRule, ContextSchema, ContextType } from './schema.ts'
export {
  UNSIGNED_CONTEXT_ENTRY_FIELDS, contextEntryHash, isAuthenticContextEntry, isContextId, nextLamport, parseContextEntry, signContextEntry,
  verifyContextEntry
} from './entry.ts'
export type { ContextEntry, ContextEntryFields, UnsignedContextEntry } from './entry.ts'
export { ContextState } from './state.ts'
export type { ContextApplyResult, ContextStateInit } from './state.ts'
export { contextInputBytes, proposalsFromOutput } from './proposals.ts'
export type { ProposalWriter } from './proposals.ts'
