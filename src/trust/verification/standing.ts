/**
 * An executor's standing for ranking and for an auction's reputation floor,
 * pure: what this submitter has checked of its work decides how far it is
 * trusted; what it merely saw only ever counts against it.
 *
 * - Trust is the posterior mean of "right when checked" (checkedTrust:
 *   Beta(priorRight + confirmations, priorWrong + contradictions), the same
 *   posterior the verification policy checks by, docs/trust-and-payments.md
 *   §3). A peer never checked is at the prior's mean, ½ — neutral, as the
 *   ReputationBook has it. An unchecked success cannot raise it: a cheat that
 *   is never checked looks exactly like honest work, so ranking by it let a
 *   cheater climb by doing work nobody checked (issue 16).
 * - Liveness — timeouts, refusals, no-shows — is seen directly, without a
 *   check, so the ReputationBook's score (an EMA of every outcome) still
 *   counts, but only below neutral: trust × min(1, score / ½). Successes can
 *   undo a peer's own failures and no more; they never lift it above a peer
 *   that never failed.
 * - Caught once is caught for good: a contradicted peer is excluded whatever
 *   its record since (the policy never trusts it again either: it is always
 *   checked and never a checker), as is a peer the ReputationBook blacklists
 *   (a redundant task's majority, a witness's dispute, too many failures) for
 *   as long as it does. Only the user's whitelist overrides both.
 *
 * Second-hand reports (reputation/aggregate.ts) do not count here:
 * `npm run sim:trust` shows that from 30–40 % malicious, reports — even
 * weighed EigenTrust-style — let the liars smear honest peers and cost more
 * than they help (docs/trust-and-payments.md §4), and most reports are of
 * successes their reporter never checked, the very evidence this standing
 * leaves out.
 *
 * @example
 * const standing = executorStanding({
 *   checked: verification.book.record(peerId),
 *   observedScore: reputation.book.score(peerId),
 *   blacklisted: reputation.book.isBlacklisted(peerId),
 *   whitelisted: reputation.book.isWhitelisted(peerId)
 * }, Date.now(), verification.policy)
 * if (!standing.blacklisted) rank(peerId, standing.score)
 */
import { NEUTRAL_SCORE } from '../reputation/index.ts'
import { InvalidVerificationPolicyError } from './errors.ts'
import { DEFAULT_VERIFICATION_POLICY, checkedTrust } from './policy.ts'
import type { CheckedRecord, FullVerificationPolicy } from './policy.ts'

/** What a submitter knows of one executor. */
export interface StandingEvidence {
  /** What it has checked of the executor's work (CheckedWorkBook#record). */
  checked: CheckedRecord
  /** Its ReputationBook's score of the executor, in [0, 1]: only the part below neutral counts. */
  observedScore: number
  /** Whether its ReputationBook blacklists the executor now. */
  blacklisted: boolean
  /** Whether the user whitelisted the executor: never excluded, even once caught. Default false. */
  whitelisted?: boolean
}

/** What ranking and auctions read of an executor. */
export interface ExecutorStanding {
  /** In [0, 1]: ½ for a peer never checked nor seen failing; 0 when excluded. */
  score: number
  /** Never offered work: caught by a check, or blacklisted by the ReputationBook, and not whitelisted. */
  blacklisted: boolean
}

/** A checked record with nothing in it: a peer this submitter never checked. */
export const UNCHECKED: Readonly<CheckedRecord> = Object.freeze({ confirmed: 0, contradicted: 0 })

/** The executor's standing at `now` (the checked-work book's clock); see the module comment. */
export function executorStanding (evidence: StandingEvidence, now: number, policy: FullVerificationPolicy = DEFAULT_VERIFICATION_POLICY): ExecutorStanding {
  const { checked, observedScore, blacklisted } = evidence
  if (typeof observedScore !== 'number' || !(observedScore >= 0 && observedScore <= 1)) {
    throw new InvalidVerificationPolicyError('observedScore must be a number in [0, 1]')
  }
  const trust = checkedTrust(checked, now, policy) // checks the record
  const excluded = evidence.whitelisted !== true && (blacklisted || checked.contradicted > 0)
  if (excluded) return { score: 0, blacklisted: true }
  return { score: trust * Math.min(1, observedScore / NEUTRAL_SCORE), blacklisted: false }
}
