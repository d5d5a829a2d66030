import { describe, expect, it } from 'vitest'
import { canonicalize } from '../../../src/core/index.ts'
import { parseReceipt, receiptHash, signReceipt, verifyReceipt } from '../../../src/receipts/index.ts'
import { rejection } from '../../support/rejection.ts'
import { exampleUnsigned, fixedIdentities, signedExample } from './fixtures.ts'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'

describe('receipt traceId (optional, docs/receipt-format.md §3)', () => {
  it('leaves a receipt without it byte-identical: the worked example still signs to the same signature', async () => {
    const receipt = await signedExample()
    expect(Object.hasOwn(receipt, 'traceId')).toBe(false)
    expect(receipt.signature).toBe('F35FEBpx4sdyBE96knpJQfIuVEQMWgAJYtnY0uxHgFCEvc8yJq77emiLe4PfkeFIuR1D7LRKouDafdheRt9oAA')
    expect(canonicalize(parseReceipt(JSON.parse(JSON.stringify(receipt))))).toBe(canonicalize(receipt))
  })

  it('is signed when present: the receipt verifies, and a changed or removed traceId breaks the signature', async () => {
    const { executor, submitter } = await fixedIdentities()
    const receipt = await signReceipt({ ...exampleUnsigned(executor, submitter), traceId: TRACE_ID }, executor)
    expect(receipt.traceId).toBe(TRACE_ID)
    await verifyReceipt(receipt)
    const plain = await signedExample()
    expect(receipt.signature).not.toBe(plain.signature)
    expect(receiptHash(receipt)).not.toBe(receiptHash(plain))
    const changed = { ...receipt, traceId: '4bf92f3577b34da6a3ce929d0e0e4737' }
    expect((await rejection(verifyReceipt(changed))).name).toBe('ReceiptSignatureError')
    const { traceId: _, ...removed } = receipt
    expect((await rejection(verifyReceipt(removed))).name).toBe('ReceiptSignatureError')
  })

  it('survives JSON: parseReceipt keeps it', async () => {
    const { executor, submitter } = await fixedIdentities()
    const receipt = await signReceipt({ ...exampleUnsigned(executor, submitter), traceId: TRACE_ID }, executor)
    const back = parseReceipt(JSON.parse(JSON.stringify(receipt)))
    expect(back.traceId).toBe(TRACE_ID)
    await verifyReceipt(back)
  })

  it('rejects a malformed traceId, naming the field', async () => {
    const { executor, submitter } = await fixedIdentities()
    const base = exampleUnsigned(executor, submitter)
    for (const traceId of ['0'.repeat(32), TRACE_ID.toUpperCase(), TRACE_ID.slice(1), `${TRACE_ID}0`, 'g'.repeat(32), null, 42, '']) {
      const err = await rejection(signReceipt({ ...base, traceId: traceId as string }, executor))
      expect(err.name).toBe('InvalidReceiptError')
      expect(err.field).toBe('traceId')
    }
    const receipt = await signedExample()
    const err = (() => { try { parseReceipt({ ...receipt, traceId: 'nope' }) } catch (e) { return e as Error & { field?: string } } })()
    expect(err?.name).toBe('InvalidReceiptError')
    expect(err?.field).toBe('traceId')
  })
})
