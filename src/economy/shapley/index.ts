/**
 * Splitting a workflow's payment among its contributors by Shapley value
 * (issue 14, docs/shapley-split.md), pure logic: no I/O, and the only
 * randomness is seeded from a string the caller gives (the run id), so anyone
 * can recompute a split. Exact up to MAX_EXACT_PLAYERS players; above, Castro,
 * Gómez & Tejada's (2009) permutation sampling with as many permutations as
 * Hoeffding's bound asks for a stated ε and δ. Shares are whole micro-units
 * that add up to v(N) exactly. A split is handed on as a signed split record
 * (record.ts) that anyone recomputes before paying it (paymentsFor).
 *
 * @example
 * const game = workflowGame({
 *   roles: ['fetch', 'train'],
 *   members: [{ id: 'alice', costs: { fetch: 0 } }, { id: 'bob', costs: { train: 0 } }],
 *   value: 10_000_000,
 *   substitutePrice: { fetch: 2_000_000, train: 3_000_000 }
 * })
 * const split = splitWorkflow(game, { seed: runId })
 * // split.payments: alice 4 500 000, bob 5 500 000 (each its substitute's price plus half the 5 000 000 surplus)
 *
 * // Any game:
 * shapley(['a', 'b', 'c'], S => (S.has('a') && S.size >= 2 ? 6 : 0))  // shares a 4, b 1, c 1
 */
export {
  DEFAULT_DELTA, DEFAULT_RELATIVE_EPSILON, MAX_EXACT_PLAYERS, MAX_MEMO_PLAYERS, MAX_PERMUTATIONS, MAX_SAMPLED_PLAYERS,
  MAX_SPLIT_RECORD_BYTES, MAX_SPLIT_ROLES, MAX_SPLIT_SYNERGIES, MAX_SPLIT_SYNERGY_MEMBERS, MAX_SPLIT_WORK, SPLIT_RECORD_KIND
} from './constants.ts'
export {
  InvalidCoalitionValueError, InvalidPlayersError, InvalidSamplingOptionsError, InvalidSplitRecordError, InvalidWorkflowGameError,
  MarginalOutOfRangeError, SplitMismatchError, SplitOverBudgetError, SplitRecordKeyMismatchError, SplitRecordSignatureError,
  SplitRecordTooLargeError, SplitTooCostlyError, TooManyPermutationsError, TooManyPlayersError
} from './errors.ts'
export type { CoalitionValue } from './players.ts'
export { seedFromString } from './seed.ts'
export { shapleyExact } from './exact.ts'
export { permutationsFor, shapleySampled } from './sampled.ts'
export type { SampledShapley, SamplingOptions } from './sampled.ts'
export { shapley } from './split.ts'
export type { ShapleySplit, SplitOptions, SplitSampling } from './split.ts'
export { splitWorkflow, workflowGame } from './workflow.ts'
export type { WorkflowGame, WorkflowGameInit, WorkflowMember, WorkflowSynergy, WorkflowSplit } from './workflow.ts'
export { computeSplitRecord, parseSplitRecord, paymentsFor, signSplitRecord, splitRecordHash, verifySplitRecord } from './record.ts'
export type { SplitPayment, SplitRecordInit } from './record.ts'
export type {
  SplitCost, SplitGame, SplitMember, SplitRecord, SplitRecordSampling, SplitRole, SplitShare, SplitSynergy, UnsignedSplitRecord
} from './record-format.ts'
