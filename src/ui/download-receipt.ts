import type { Receipt } from '../app/index.ts'
import { downloadBlob } from './download.ts'
import { receiptFilename } from './view-format.ts'

/**
 * Saves the receipt as pretty-printed JSON. Every field is a string or number,
 * so the file is exactly what `parseReceipt(JSON.parse(text))` accepts and anyone
 * can check the signature without this app (docs/receipt-format.md).
 */
export function downloadReceipt (receipt: Receipt): void {
  downloadBlob(new Blob([`${JSON.stringify(receipt, null, 2)}\n`], { type: 'application/json' }), receiptFilename(receipt.taskId))
}
