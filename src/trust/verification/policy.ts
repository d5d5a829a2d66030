/**
 * The submitter's own risk-based verification, pure: given what it has
 * checked of an executor, the task's value and a random number, should it
 * have the task run again by a peer it chooses (`check`) or take the result
 * as it is (`accept`) — and, when checking, hold the payment until the check
 * lands?
 *
 * Witnesses that pick receipts for themselves (trust/witness/selection.ts)
 * check at rates the cheater can wait out and may themselves be the
 * cheater's friends; here the party with the most at stake decides, per
 * task, from evidence only it gathered:
 *
 * - An executor's rate of wrong results q gets a Beta prior and is updated by
 *   checked outcomes only — confirmed or contradicted. An unchecked success
 *   says nothing (a cheat that is never checked looks like one), so it must
 *   not buy trust; CheckedWorkBook has no way to record one.
 * - Its first `firstChecks` tasks are always checked: a newcomer has nothing
 *   to lose by cheating, which is when a cheat is most tempting.
 * - After that the check probability is gain · E[q] · value/referenceValue,
 *   within [minCheckRate, 1]: the expected loss of an unchecked wrong result
 *   is q · value, so the check rate follows it (Wald's sequential sampling
 *   in spirit: check more where being wrong costs more). E[q] falls as
 *   confirmations accumulate and rises again as they grow stale (their
 *   weight halves every `evidenceHalfLifeMs` since the last check).
 * - A contradicted executor is always checked (it should be blacklisted
 *   already; if the caller still hands it work, it is never trusted again).
 * - Payment for a checked task is held until the check lands while the
 *   executor is risky: fewer than `holdUntilConfirmed` confirmations, or a
 *   contradiction. An established executor is paid at once and refunded
 *   from if the check later contradicts it.
 *
 * Who checks is the submitter's choice too (chooseCheckers): peers it has
 * confirmed at least `minCheckerConfirmed` times (lately) and never caught, never the
 * executor nor itself, never a blacklisted peer. With nobody to trust yet,
 * the submitter re-runs the task itself.
 *
 * @example
 * const decision = decideVerification(book.record(executor), { value: offer.maxTotalPrice }, Math.random(), Date.now())
 * if (decision.check) { ... run it again on chooseCheckers(...)[0] ?? self, compare, then book.confirm/contradict }
 */
import {
  DEFAULT_CHECK_GAIN, DEFAULT_EVIDENCE_HALF_LIFE_MS, DEFAULT_FIRST_CHECKS, DEFAULT_HOLD_UNTIL_CONFIRMED, DEFAULT_MIN_CHECK_RATE,
  DEFAULT_MIN_CHECKER_CONFIRMED, DEFAULT_PRIOR_RIGHT, DEFAULT_PRIOR_WRONG, DEFAULT_REFERENCE_VALUE
} from './constants.ts'
import { InvalidVerificationPolicyError } from './errors.ts'

/** What a submitter has checked of one executor's work. Unchecked work has no place here. */
export interface CheckedRecord {
  /** Checked tasks whose result the check confirmed. */
  confirmed: number
  /** Checked tasks whose result the check (and the arbitration after it) contradicted. */
  contradicted: number
  /** When the last check landed (ms, the caller's clock); undefined if never checked. */
  lastCheckedAt?: number
}

/** The policy's settings; every field optional, defaults in constants.ts. */
export interface VerificationPolicy {
  /** Tasks always checked before the first gamble, whole number ≥ 0. Default 3. */
  firstChecks?: number
  /** Beta prior on the wrong rate, both > 0. Default 1 and 1. */
  priorWrong?: number
  priorRight?: number
  /** Check probability per unit of E[q] · value/referenceValue, > 0. Default 7. */
  checkGain?: number
  /** Floor of the check probability, in [0, 1]. Default 0.05. */
  minCheckRate?: number
  /** The value checked at the base probability, > 0. Default 1. */
  referenceValue?: number
  /** Payment held for checked tasks of executors with fewer confirmations, whole number ≥ 0. Default 10. */
  holdUntilConfirmed?: number
  /** Half-life of old confirmations' weight, ms, > 0 (Infinity: they never fade). Default 7 days. */
  evidenceHalfLifeMs?: number
  /** Confirmations a peer needs before it checks others' work, whole number ≥ 1. Default 8. */
  minCheckerConfirmed?: number
}

/** A policy with every default filled in, as checkVerificationPolicy returns it. */
export type FullVerificationPolicy = Required<VerificationPolicy>

export const DEFAULT_VERIFICATION_POLICY: Readonly<FullVerificationPolicy> = Object.freeze({
  firstChecks: DEFAULT_FIRST_CHECKS,
  priorWrong: DEFAULT_PRIOR_WRONG,
  priorRight: DEFAULT_PRIOR_RIGHT,
  checkGain: DEFAULT_CHECK_GAIN,
  minCheckRate: DEFAULT_MIN_CHECK_RATE,
  referenceValue: DEFAULT_REFERENCE_VALUE,
  holdUntilConfirmed: DEFAULT_HOLD_UNTIL_CONFIRMED,
  evidenceHalfLifeMs: DEFAULT_EVIDENCE_HALF_LIFE_MS,
  minCheckerConfirmed: DEFAULT_MIN_CHECKER_CONFIRMED
})

/** Why the policy decided as it did. */
export type VerificationReason = 'newcomer' | 'contradicted' | 'risk'

export interface VerificationDecision {
  /** Run the task again on a peer the submitter chooses, and compare. */
  check: boolean
  /** Pay only once the check confirmed the result (always false when not checking). */
  holdPayment: boolean
  /** The probability of a check this decision drew against, in [0, 1]. */
  probability: number
  reason: VerificationReason
}

/** The task being decided on. */
export interface TaskAtStake {
  /** What a wrong result would cost, in the policy's unit (e.g. the offer's maxTotalPrice in µ); ≥ 0, finite. */
  value: number
}

/** `policy` with defaults filled in; throws InvalidVerificationPolicyError on a value out of range. */
export function checkVerificationPolicy (policy: VerificationPolicy = {}): FullVerificationPolicy {
  const full = { ...DEFAULT_VERIFICATION_POLICY }
  for (const [key, value] of Object.entries(policy) as Array<[keyof VerificationPolicy, unknown]>) {
    if (value === undefined) continue
    if (!(key in DEFAULT_VERIFICATION_POLICY)) throw new InvalidVerificationPolicyError(`unknown verification policy option ${key}`)
    if (typeof value !== 'number' || Number.isNaN(value)) throw new InvalidVerificationPolicyError(`${key} must be a number`)
    full[key] = value
  }
  const wholeFrom = (key: 'firstChecks' | 'holdUntilConfirmed' | 'minCheckerConfirmed', min: number): void => {
    if (!Number.isSafeInteger(full[key]) || full[key] < min) throw new InvalidVerificationPolicyError(`${key} must be a whole number ≥ ${min}`)
  }
  wholeFrom('firstChecks', 0)
  wholeFrom('holdUntilConfirmed', 0)
  wholeFrom('minCheckerConfirmed', 1)
  for (const key of ['priorWrong', 'priorRight', 'checkGain', 'referenceValue'] as const) {
    if (!(full[key] > 0 && Number.isFinite(full[key]))) throw new InvalidVerificationPolicyError(`${key} must be finite and > 0`)
  }
  if (!(full.minCheckRate >= 0 && full.minCheckRate <= 1)) throw new InvalidVerificationPolicyError('minCheckRate must be in [0, 1]')
  if (!(full.evidenceHalfLifeMs > 0)) throw new InvalidVerificationPolicyError('evidenceHalfLifeMs must be > 0')
  return full
}

/**
 * The confirmations of `record` as they count at `now`: their weight halves
 * every evidenceHalfLifeMs since the last check (a clock that stepped back
 * does not add weight).
 */
export function effectiveConfirmations (record: CheckedRecord, now: number, policy: FullVerificationPolicy = DEFAULT_VERIFICATION_POLICY): number {
  checkRecord(record)
  if (record.lastCheckedAt === undefined || record.confirmed === 0) return record.confirmed
  const age = Math.max(0, now - record.lastCheckedAt)
  return record.confirmed * 2 ** (-age / policy.evidenceHalfLifeMs)
}

/** The posterior mean of the executor's wrong rate, E[q] under Beta(priorWrong + contradicted, priorRight + confirmations at `now`). */
export function expectedWrongRate (record: CheckedRecord, now: number, policy: FullVerificationPolicy = DEFAULT_VERIFICATION_POLICY): number {
  const wrong = policy.priorWrong + record.contradicted
  return wrong / (wrong + policy.priorRight + effectiveConfirmations(record, now, policy))
}

/**
 * How far this submitter trusts the executor from checked work alone, in
 * (0, 1): the posterior mean of its rate of right results. A newcomer is at
 * the prior's mean (½ by default); the ranking's standing is built on it
 * (standing.ts).
 */
export function checkedTrust (record: CheckedRecord, now: number, policy: FullVerificationPolicy = DEFAULT_VERIFICATION_POLICY): number {
  return 1 - expectedWrongRate(record, now, policy)
}

/** The probability that a task of `task.value` from this executor is checked. */
export function checkProbability (record: CheckedRecord, task: TaskAtStake, now: number, policy: FullVerificationPolicy = DEFAULT_VERIFICATION_POLICY): number {
  checkValue(task)
  checkRecord(record)
  if (record.contradicted > 0 || record.confirmed < policy.firstChecks) return 1
  const rate = policy.checkGain * expectedWrongRate(record, now, policy) * (task.value / policy.referenceValue)
  return Math.min(1, Math.max(policy.minCheckRate, rate))
}

/**
 * Whether to check this task, and whether to hold its payment until the
 * check lands; `random` is a uniform draw in [0, 1) from the caller (the
 * check happens when random < probability, so the same draw with a higher
 * probability never turns a check into an accept).
 */
export function decideVerification (
  record: CheckedRecord, task: TaskAtStake, random: number, now: number, policy: FullVerificationPolicy = DEFAULT_VERIFICATION_POLICY
): VerificationDecision {
  if (typeof random !== 'number' || !(random >= 0 && random < 1)) throw new InvalidVerificationPolicyError('random must be in [0, 1)')
  const probability = checkProbability(record, task, now, policy)
  const reason: VerificationReason = record.contradicted > 0 ? 'contradicted' : record.confirmed < policy.firstChecks ? 'newcomer' : 'risk'
  const check = random < probability
  const risky = record.contradicted > 0 || record.confirmed < policy.holdUntilConfirmed
  return { check, holdPayment: check && risky, probability, reason }
}

/** What chooseCheckers needs to know of the peers. */
export interface CheckerChoice {
  /** Whose task it is: never a checker (it could vouch for anything). */
  submitter: string
  /** Whose result is checked: never its own checker. */
  executor: string
  /** Peers that could re-run the task (reachable, able to run it). */
  candidates: Iterable<string>
  /** The submitter's checked record of a peer. */
  recordOf(peerId: string): CheckedRecord
  /** Peers the submitter distrusts for any reason (its reputation book's blacklist). */
  isBlacklisted(peerId: string): boolean
  /** How many checkers are wanted, whole number ≥ 1. */
  count: number
  /** The caller's clock, ms. */
  now: number
  /** A uniform draw in [0, 1) per call, from the caller: checkers are spread over every trusted peer rather than always the same. */
  random(): number
}

/**
 * Up to `count` distinct peers to re-run a task, drawn uniformly from the
 * candidates the submitter trusts: at least `minCheckerConfirmed`
 * confirmations, the last within evidenceHalfLifeMs, none contradicted, not
 * blacklisted, neither the executor nor the submitter. Empty when there is no such peer: the
 * submitter then checks the task itself.
 */
export function chooseCheckers (choice: CheckerChoice, policy: FullVerificationPolicy = DEFAULT_VERIFICATION_POLICY): string[] {
  const { submitter, executor, count, now } = choice
  if (!Number.isSafeInteger(count) || count < 1) throw new InvalidVerificationPolicyError('count must be a whole number ≥ 1')
  const trusted: string[] = []
  for (const peerId of new Set(choice.candidates)) {
    if (peerId === submitter || peerId === executor || choice.isBlacklisted(peerId)) continue
    const record = choice.recordOf(peerId)
    checkRecord(record)
    const stale = record.lastCheckedAt === undefined || now - record.lastCheckedAt > policy.evidenceHalfLifeMs
    if (record.contradicted > 0 || record.confirmed < policy.minCheckerConfirmed || stale) continue
    trusted.push(peerId)
  }
  const k = Math.min(count, trusted.length)
  for (let i = 0; i < k; i++) { // partial Fisher–Yates: trusted[0..k) is a uniform sample
    const r = choice.random()
    if (!(r >= 0 && r < 1)) throw new InvalidVerificationPolicyError('random() must return a number in [0, 1)')
    const j = i + Math.floor(r * (trusted.length - i))
    ;[trusted[i], trusted[j]] = [trusted[j]!, trusted[i]!]
  }
  return trusted.slice(0, k)
}

function checkRecord (record: CheckedRecord): void {
  const count = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0
  if (typeof record !== 'object' || record === null || !count(record.confirmed) || !count(record.contradicted)) {
    throw new InvalidVerificationPolicyError('a checked record has whole-number confirmed and contradicted counts ≥ 0')
  }
  if (record.lastCheckedAt !== undefined && !Number.isFinite(record.lastCheckedAt)) throw new InvalidVerificationPolicyError('lastCheckedAt must be finite')
}

function checkValue (task: TaskAtStake): void {
  if (typeof task?.value !== 'number' || !(task.value >= 0 && Number.isFinite(task.value))) throw new InvalidVerificationPolicyError('a task\'s value must be finite and ≥ 0')
}
