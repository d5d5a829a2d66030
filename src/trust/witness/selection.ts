/**
 * Which receipts a witness re-executes. Checking every receipt would double
 * the mesh's work; checking a random share makes cheating a gamble whose
 * expected cost (reputation lost, refund owed) grows with every task. New and
 * low-reputation executors are checked more often: they have no record that
 * a cheat would cost them, which is when a cheat is most tempting.
 */
import type { Receipt } from '../../receipts/types.ts'
import { DEFAULT_CHECK_RATE, DEFAULT_NEW_EXECUTOR_CHECK_RATE, ESTABLISHED_TASKS, TRUSTED_SCORE } from './constants.ts'

export interface CheckRates {
  /** Share of receipts checked from established, well-reputed executors, in [0, 1]. */
  established: number
  /** Share checked from new or low-reputation executors, in [0, 1]. */
  newcomer: number
}

export const DEFAULT_CHECK_RATES: Readonly<CheckRates> = { established: DEFAULT_CHECK_RATE, newcomer: DEFAULT_NEW_EXECUTOR_CHECK_RATE }

/** What the witness knows of the executor: its score and how many outcomes it has seen of it. */
export interface ExecutorStanding {
  score: number
  observations: number
}

/** Throws RangeError unless both rates are numbers in [0, 1]. */
export function checkRates (rates: CheckRates): CheckRates {
  for (const key of ['established', 'newcomer'] as const) {
    const rate = rates[key]
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new RangeError(`check rate ${key} must be in [0, 1], got ${String(rate)}`)
  }
  return { established: rates.established, newcomer: rates.newcomer }
}

/** The share of this executor's receipts to check. */
export function checkRateFor (standing: ExecutorStanding, rates: CheckRates): number {
  const established = standing.observations >= ESTABLISHED_TASKS && standing.score >= TRUSTED_SCORE
  return established ? rates.established : rates.newcomer
}

/**
 * Whether `witness` should re-execute `receipt`: never its own work or its
 * own task (it would be judging itself), never a timeout (the one status a
 * re-run cannot reproduce), otherwise with the executor's check rate.
 */
export function shouldCheck (receipt: Receipt, witness: string, standing: ExecutorStanding, rates: CheckRates, random: () => number): boolean {
  if (receipt.executor === witness || receipt.submitter === witness) return false
  if (receipt.status === 'timeout') return false
  return random() < checkRateFor(standing, rates)
}
