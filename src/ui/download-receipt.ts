import type { Receipt } from '../trust/receipt.ts'
import { receiptFilename } from './view-format.ts'

/**
 * Saves the receipt as pretty-printed JSON. Every field is a string or number,
 * so the file is exactly what `parseReceipt(JSON.parse(text))` accepts and anyone
 * can check the signature without this app (docs/receipt-format.md).
 */
export function downloadReceipt (receipt: Receipt): void {
  const blob = new Blob([`${JSON.stringify(receipt, null, 2)}\n`], { type: 'application/json' })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = receiptFilename(receipt.taskId)
  link.style.display = 'none'
  document.body.append(link)
  link.click()
  link.remove()
  // Revoked on the next task so the click's navigation has started reading it.
  setTimeout(() => { URL.revokeObjectURL(url) }, 0)
}
