/**
 * The signed split record (docs/shapley-split.md, "Split record"): whoever
 * computes a workflow's Shapley split signs the game, the method and the
 * result; anyone recomputes it from the record alone (the run id is the seed
 * of a sampled split) and refuses a record that does not recompute to the
 * micro-unit, before anything is paid.
 */
import { canonicalize, sha256Hex, utf8ToBytes } from '../../core/index.ts'
import { parseSignedDocument, signDocument, verifyDocument } from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { MAX_EXACT_PLAYERS, MAX_MEMO_PLAYERS, MAX_SPLIT_WORK, SPLIT_RECORD_KIND } from './constants.ts'
import {
  InvalidSamplingOptionsError, InvalidSplitRecordError, InvalidWorkflowGameError, SplitMismatchError, SplitOverBudgetError, SplitTooCostlyError
} from './errors.ts'
import { SPLIT_RECORD, readBudget, readGame, readRunId } from './record-format.ts'
import type { SplitGame, SplitRecord, SplitRecordSampling, SplitShare, UnsignedSplitRecord } from './record-format.ts'
import { samplingPlan } from './sampled.ts'
import { splitWorkflow, workflowGame } from './workflow.ts'
import type { WorkflowGame } from './workflow.ts'

/** What computeSplitRecord takes: the game and who signs; the method, shares and payments are computed. */
export interface SplitRecordInit {
  runId: string
  budget: number
  game: SplitGame
  /** For a sampled split (more than MAX_EXACT_PLAYERS players): ε and δ (defaults as `shapley`), and a range at least the game's own (its default). */
  sampling?: { epsilon?: number, delta?: number, range?: number }
  signer: string
  publicKey: string
  at: number
}

/** One payment a split asks for, to be made over the payer's channel to `payee`. */
export interface SplitPayment {
  /** PeerId. */
  payee: string
  /** Micro-units, > 0. */
  amount: number
  runId: string
  /** splitRecordHash of the record that asks for it: the payment's reason. */
  recordHash: string
}

/** The split of `game` as a record would state it. */
interface Recomputed {
  method: 'exact' | 'sampled'
  sampling: SplitRecordSampling | null
  shares: SplitShare[]
  total: number
}

/**
 * Computes the split of `init.game` (exact for up to MAX_EXACT_PLAYERS
 * players, else sampled with the run id as seed) and returns the unsigned
 * record. Throws InvalidSplitRecordError for a malformed game,
 * SplitTooCostlyError when the split would take more than MAX_SPLIT_WORK,
 * SplitOverBudgetError when the payments add up to more than the budget.
 */
export function computeSplitRecord (init: SplitRecordInit): UnsignedSplitRecord {
  const runId = readRunId(init?.runId)
  const budget = readBudget(init.budget)
  const game = readGame(init.game)
  const played = playedGame(game)
  const range = init.sampling?.range ?? played.range
  if (range < played.range) throw new InvalidSamplingOptionsError('range', `must be at least the game's own range ${played.range}, got ${range}`)
  const recomputed = recompute(runId, game, played, { ...init.sampling, range })
  const unsigned: UnsignedSplitRecord = { kind: SPLIT_RECORD_KIND, runId, budget, game, ...recomputed, signer: init.signer, publicKey: init.publicKey, at: init.at }
  checkBudget(unsigned)
  return unsigned
}

/** Computes the split (computeSplitRecord) and signs it as `identity`, which must be the `signer`. */
export async function signSplitRecord (init: SplitRecordInit, identity: PeerIdentity): Promise<SplitRecord> {
  return signDocument(computeSplitRecord(init), identity, SPLIT_RECORD)
}

/** Checks the size limit, then the schema; returns a copy holding exactly the record's fields. Neither signature nor split is checked. */
export function parseSplitRecord (value: unknown): SplitRecord {
  return parseSignedDocument(value, SPLIT_RECORD)
}

/**
 * Checks, in this order: size and schema; the signer's key and signature;
 * that recomputing would take at most MAX_SPLIT_WORK (SplitTooCostlyError);
 * that the split of the record's game, by the record's method (exact; or
 * sampled with the record's ε, δ, range and m, seeded from its run id), gives
 * exactly its shares, payments and total (SplitMismatchError naming the first
 * member, or field, that differs); that the total is within the budget
 * (SplitOverBudgetError). Returns the checked copy.
 */
export function verifySplitRecord (value: unknown): SplitRecord {
  return verifyDocument(value, SPLIT_RECORD, {
    check: record => {
      const played = playedGame(record.game)
      const expected = played.players.length > MAX_EXACT_PLAYERS ? 'sampled' : 'exact'
      if (record.method !== expected) {
        throw new SplitMismatchError('method', null, `a game of ${played.players.length} players splits ${expected}ly, the record says ${record.method}`)
      }
      if (record.sampling !== null && record.sampling.range < played.range) {
        throw new SplitMismatchError('sampling.range', null, `range ${record.sampling.range} is below the game's own bound ${played.range}: the stated ε would not hold`)
      }
      let recomputed: Recomputed
      try {
        recomputed = recompute(record.runId, record.game, played, record.sampling ?? {})
      } catch (err) {
        if (err instanceof InvalidSamplingOptionsError) throw new SplitMismatchError(`sampling.${err.field}`, null, err.message)
        throw err
      }
      record.shares.forEach((stated, i) => {
        const { share, payment } = recomputed.shares[i]!
        if (stated.share !== share) throw new SplitMismatchError(`shares.${i}.share`, stated.member, `${stated.member}'s share recomputes to ${share}, the record says ${stated.share}`)
        if (stated.payment !== payment) throw new SplitMismatchError(`shares.${i}.payment`, stated.member, `${stated.member}'s payment recomputes to ${payment}, the record says ${stated.payment}`)
      })
      if (record.total !== recomputed.total) throw new SplitMismatchError('total', null, `the payments add up to ${recomputed.total}, the record says ${record.total}`)
      checkBudget(record)
      return record
    }
  })
}

/**
 * What the payer pays, after verifySplitRecord: each member with a payment
 * above 0, in member order. A payment below 0 (a member whose clashes cost
 * the others more than it brought) is not collected, and the others are paid
 * no more for it: the amounts paid add up to at most the budget.
 */
export function paymentsFor (value: unknown): SplitPayment[] {
  const record = verifySplitRecord(value)
  const recordHash = splitRecordHash(record)
  return record.shares
    .filter(share => share.payment > 0)
    .map(share => ({ payee: share.member, amount: share.payment, runId: record.runId, recordHash }))
}

/** Lowercase hex SHA-256 of the UTF-8 RFC 8785 canonical JSON of the whole signed record. */
export function splitRecordHash (record: SplitRecord): string {
  return sha256Hex(utf8ToBytes(canonicalize(parseSplitRecord(record))))
}

/** The workflow game a record's game describes; a malformed one is an InvalidSplitRecordError naming the field under `game.`. */
function playedGame (game: SplitGame): WorkflowGame {
  try {
    return workflowGame({
      roles: game.roles.map(role => role.role),
      // Object.fromEntries makes own properties even of `__proto__`, which workflowGame reads with Object.hasOwn.
      substitutePrice: Object.fromEntries(game.roles.map(role => [role.role, role.substitutePrice])),
      members: game.members.map(member => ({ id: member.member, costs: Object.fromEntries(member.costs.map(cost => [cost.role, cost.cost])) })),
      value: game.value,
      synergy: game.synergies
    })
  } catch (err) {
    if (err instanceof InvalidWorkflowGameError) throw new InvalidSplitRecordError(`game.${err.field}`, err.message)
    throw err
  }
}

/** The split as a record states it, after checking the work it takes. */
function recompute (
  runId: string, game: SplitGame, played: WorkflowGame, sampling: { epsilon?: number, delta?: number, range?: number, permutations?: number }
): Recomputed {
  const n = played.players.length
  const perEvaluation = game.roles.length + game.members.reduce((sum, member) => sum + member.costs.length, 0) +
    game.synergies.reduce((sum, synergy) => sum + synergy.members.length, 0) + 1
  let plan: SplitRecordSampling | null = null
  if (n > MAX_EXACT_PLAYERS) {
    const bound = samplingPlan(n, { epsilon: sampling.epsilon, delta: sampling.delta, range: sampling.range ?? played.range })
    plan = { ...bound, permutations: sampling.permutations ?? bound.permutations }
  }
  const draws = plan === null ? 0 : plan.permutations * n
  const evaluations = plan === null ? 2 ** n : n <= MAX_MEMO_PLAYERS ? Math.min(draws, 2 ** n) : draws
  const work = evaluations * perEvaluation + draws
  if (work > MAX_SPLIT_WORK) throw new SplitTooCostlyError(`recomputing this split takes about ${work} steps, above MAX_SPLIT_WORK (${MAX_SPLIT_WORK}); ask for a larger ε`)
  const split = splitWorkflow(played, plan === null ? {} : { seed: runId, ...plan })
  const shares = game.members.map(({ member }) => ({ member, share: split.shares.get(member)!, payment: split.payments.get(member)! }))
  const sampled = split.sampling === undefined
    ? null
    : { epsilon: split.sampling.epsilon, delta: split.sampling.delta, range: split.sampling.range, permutations: split.sampling.permutations }
  return { method: split.method, sampling: sampled, shares, total: shares.reduce((sum, share) => sum + share.payment, 0) }
}

/** The amounts paid (payments above 0) must add up to at most the budget. */
function checkBudget (record: Pick<UnsignedSplitRecord, 'runId' | 'budget' | 'shares'>): void {
  const paid = record.shares.reduce((sum, share) => sum + Math.max(0, share.payment), 0)
  if (paid > record.budget) throw new SplitOverBudgetError(`run ${record.runId}: the split pays ${paid}, above the budget ${record.budget}`)
}
