/**
 * How a failed task reflects on its executor: a task that ran and failed on
 * its own (a trap, running out of fuel) was served honestly; a result that
 * does not verify is a wrong result; an error that says nothing about the
 * executor (a dial that failed, a route that broke) is not held against it.
 * Errors are told apart by name: they may have crossed a worker or the wire.
 */
import { TaskTimeoutError } from '../../execution/errors.ts'
import {
  InvalidReceiptError, ReceiptKeyMismatchError, ReceiptMismatchError, ReceiptSignatureError, ReceiptTooLargeError
} from '../../receipts/index.ts'
import type { Outcome } from '../../trust/reputation/index.ts'
import {
  ExecutorLostError, InvalidTaskMessageError, ReceiptBudgetMismatchError, RemoteTaskError, TaskOverBudgetError, TaskRefusedError
} from '../task-protocol/index.ts'

const WRONG_RESULT: ReadonlySet<string> = new Set([
  ReceiptTooLargeError.name, ReceiptSignatureError.name, ReceiptKeyMismatchError.name, ReceiptMismatchError.name,
  ReceiptBudgetMismatchError.name, InvalidReceiptError.name, InvalidTaskMessageError.name
])

/** The reputation outcome of a task that failed with `err`, or undefined when the failure says nothing of the executor. */
export function outcomeOf (err: unknown): Outcome | undefined {
  const name = err instanceof Error ? err.name : ''
  if (name === TaskTimeoutError.name) return 'timeout'
  if (err instanceof RemoteTaskError && err.receipt != null) return 'success'
  if (name === ExecutorLostError.name) return 'no-show'
  if (name === TaskRefusedError.name || name === TaskOverBudgetError.name) return 'refusal'
  if (WRONG_RESULT.has(name)) return 'wrong-result'
  return undefined
}
