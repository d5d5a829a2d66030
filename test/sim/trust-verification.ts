/**
 * The `risk` configuration's step after a delivery (trust.ts): the submitter
 * asks the real verification policy (src/trust/verification/) whether to
 * check the result; a check is a re-run by a peer the submitter chooses with
 * the real chooseCheckers — one it has confirmed often enough and never
 * caught — or, with nobody trusted yet, by the submitter itself. Only checked
 * work enters the submitter's CheckedWorkBook.
 *
 * Model: an honest checker (or the submitter) sees a wrong result for what it
 * is; a malicious checker always agrees, as a malicious witness does in
 * trust.ts. A disagreement with a peer checker is settled by the submitter's
 * own re-run (one arbitration run), as the app settles a witness's dispute;
 * when the submitter checked itself, its own run is the arbitration already.
 */
import { chooseCheckers, decideVerification } from '../../src/trust/verification/index.ts'
import type { CheckedWorkBook, FullVerificationPolicy } from '../../src/trust/verification/index.ts'

export interface CheckStep {
  /** The submitter's peer id and the executor's. */
  self: string
  executor: string
  /** Whether the executor's output is wrong. */
  isWrong: boolean
  /** The task's value, in units of the policy's referenceValue. */
  value: number
  now: number
  checked: CheckedWorkBook
  policy: FullVerificationPolicy
  isBlacklisted(peerId: string): boolean
  /** Whether a peer is honest (as a checker, it sees a wrong result for what it is). */
  isHonest(peerId: string): boolean
  random(): number
}

export interface CheckedDelivery {
  checked: boolean
  /** The check caught a wrong result: the submitter has the right one from the check. */
  caught: boolean
  /** Re-runs on other peers or the submitter: the check, and an arbitration after a peer checker's disagreement. */
  checkRuns: number
  arbitrationRuns: number
  /** The check was run by the submitter itself (nobody trusted yet). */
  bySelf: boolean
  holdPayment: boolean
}

/** Decides, checks, and records the check in `step.checked` (an unchecked delivery records nothing there). */
export function checkDelivery (step: CheckStep): CheckedDelivery {
  const { self, executor, isWrong, checked, policy, now } = step
  const decision = decideVerification(checked.record(executor), { value: step.value * policy.referenceValue }, step.random(), now, policy)
  if (!decision.check) return { checked: false, caught: false, checkRuns: 0, arbitrationRuns: 0, bySelf: false, holdPayment: false }
  const [checker] = chooseCheckers({
    submitter: self, executor, candidates: checked.peers(), recordOf: p => checked.record(p), isBlacklisted: step.isBlacklisted, count: 1, now, random: step.random
  }, policy)
  const caught = isWrong && (checker === undefined || step.isHonest(checker))
  if (caught) checked.contradict(executor)
  else checked.confirm(executor)
  return {
    checked: true,
    caught,
    checkRuns: 1,
    arbitrationRuns: caught && checker !== undefined ? 1 : 0,
    bySelf: checker === undefined,
    holdPayment: decision.holdPayment
  }
}
