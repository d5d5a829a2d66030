/**
 * The history records a submitter's check keeps (orchestration/dispatch/
 * verification.ts, `TaskVerificationComponents.keep`): the checker's
 * receipt it pays beside the executor's, owed until paid; the executor's
 * while its payment is held until the check agrees, owed; and that one
 * withheld when the check showed it wrong or could not confirm it. What is
 * owed is paid by a later start if this one ends first (owed-receipts.ts).
 */
import { warnOn } from '../core/index.ts'
import type { Logger } from '../core/index.ts'
import type { CheckKeeps } from '../orchestration/dispatch/index.ts'
import type { Receipt, ReceiptPayment, ReceiptRecord } from '../receipts/index.ts'
import { preview } from './preview.ts'
import type { ZeroStateStore } from './store.ts'

export interface CheckRecordsComponents {
  store: Pick<ZeroStateStore, 'addReceipt'>
  /** Shows and keeps a record (the page's history); absent, records go to the store alone. */
  remember?(record: ReceiptRecord): Promise<void>
  logger: Logger
}

/**
 * How the history names a receipt a check keeps, by its task id, and what it is owed. A held receipt's record
 * outlives its check only when the check never ended (the tab closed): its caller's record replaces it otherwise.
 */
const CHECK_RECORDS: Record<CheckKeeps, (task: string) => { label: string, payment: ReceiptPayment }> = {
  checker: task => ({ label: `check of task ${task}`, payment: 'owed' }),
  held: task => ({ label: `task ${task}, kept as its check began`, payment: 'owed' }),
  'shown-wrong': task => ({ label: `task ${task}, shown wrong by its check: not paid`, payment: 'withheld' }),
  unconfirmed: task => ({ label: `task ${task}, not confirmed by its check: not paid`, payment: 'withheld' })
}

/**
 * `keep` for TaskVerification. Only the checker's receipt is shown (and
 * counted in the agents' records) at once: a held one is its caller's to
 * show once the check agrees, and is in the store meanwhile, which the
 * history shows at the next start. Never rejects: a record that could not
 * be kept is logged.
 */
export function checkRecords (components: CheckRecordsComponents): (receipt: Receipt, kept: CheckKeeps, stdout?: Uint8Array) => Promise<void> {
  const { store, remember, logger } = components
  return async (receipt, kept, stdout) => {
    const { label, payment } = CHECK_RECORDS[kept](receipt.taskId.slice(0, 8))
    const record: ReceiptRecord = { receipt, role: 'submitter', label, stdoutPreview: stdout === undefined ? '' : preview(stdout), storedAt: Date.now(), payment }
    const written = kept === 'checker' && remember !== undefined ? remember(record) : store.addReceipt(record)
    await written.catch(warnOn(logger, `keeping the receipt of task ${receipt.taskId}`))
  }
}
