import { describe, expect, it } from 'vitest'
import { bytesToBase64Url, canonicalize } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import {
  MAX_RECEIPT_ARG_BYTES, MAX_RECEIPT_ARGS, MAX_RECEIPT_BYTES, parseReceipt, receiptToJson, signReceipt, verifyReceipt
} from '../../../src/trust/index.ts'
import type { Receipt, ReceiptExpectations } from '../../../src/trust/index.ts'
import { exampleUnsigned, fixedIdentities } from './fixtures.ts'

const rejection = async (promise: Promise<unknown>): Promise<Error & { field?: string }> => {
  try {
    await promise
  } catch (err) {
    return err as Error & { field?: string }
  }
  throw new Error('expected a rejection')
}

const thrown = (fn: () => unknown): Error & { field?: string } => {
  try {
    fn()
  } catch (err) {
    return err as Error & { field?: string }
  }
  throw new Error('expected a throw')
}

async function signedExample (): Promise<Receipt> {
  const { executor, submitter } = await fixedIdentities()
  return signReceipt(exampleUnsigned(executor, submitter), executor)
}

describe('signReceipt', () => {
  it('reproduces the worked example in docs/receipt-format.md (Ed25519 is deterministic)', async () => {
    const receipt = await signedExample()
    expect(receipt.executor).toBe('12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf')
    expect(receipt.publicKey).toBe('ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ')
    expect(receipt.signature).toBe('vXkeGL8NwwYCac--4O5Ed8oZ6LgrQUDuFdo-q6IparQ3B0SecGmJtkdhX6etl8hL-wLB93BSOVLmX-DG9lFXBQ')
    await verifyReceipt(receipt)
  })

  it('refuses to sign for another key or another executor', async () => {
    const { executor, submitter } = await fixedIdentities()
    const unsigned = exampleUnsigned(executor, submitter)
    expect((await rejection(signReceipt(unsigned, submitter))).name).toBe('ReceiptKeyMismatchError')
    const wrongExecutor = { ...unsigned, executor: submitter.peerId.toString() }
    expect((await rejection(signReceipt(wrongExecutor, executor))).name).toBe('ReceiptKeyMismatchError')
  })

  it('refuses to sign a malformed receipt, naming the field', async () => {
    const { executor, submitter } = await fixedIdentities()
    const unsigned = { ...exampleUnsigned(executor, submitter), exitCode: 1.5 }
    const err = await rejection(signReceipt(unsigned, executor))
    expect(err.name).toBe('InvalidReceiptError')
    expect(err.field).toBe('exitCode')
    const withSignature = { ...exampleUnsigned(executor, submitter), signature: 'x' }
    expect((await rejection(signReceipt(withSignature, executor))).field).toBe('signature')
  })
})

describe('verifyReceipt', () => {
  it('accepts matching expectations', async () => {
    const receipt = await signedExample()
    const { taskId, moduleHash, inputHash, outputHash, stderrHash, args, exitCode, timeoutMs, memoryLimitBytes, executor, submitter } = receipt
    await verifyReceipt(receipt, { taskId, moduleHash, inputHash, outputHash, stderrHash, args: [...args], exitCode, timeoutMs, memoryLimitBytes, executor, submitter })
    await verifyReceipt(receipt, { taskId: undefined })
  })

  it.each<[keyof ReceiptExpectations, unknown]>([
    ['taskId', 'other-task'],
    ['moduleHash', '0'.repeat(64)],
    ['inputHash', '0'.repeat(64)],
    ['outputHash', '0'.repeat(64)],
    ['stderrHash', '0'.repeat(64)],
    ['args', ['--lines']],
    ['exitCode', 1],
    ['timeoutMs', 1],
    ['memoryLimitBytes', 1],
    ['executor', '12D3KooWNQHGF6MZJ5WBLJ1VSUcLHhynAiHURkPC1asyhoFgR5t9'],
    ['submitter', '12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf']
  ])('names %s when it differs from the expectation', async (field, value) => {
    const receipt = await signedExample()
    const err = await rejection(verifyReceipt(receipt, { [field]: value }))
    expect(err.name).toBe('ReceiptMismatchError')
    expect(err.field).toBe(field)
  })

  it('checks the signature before expectations', async () => {
    const receipt = { ...await signedExample(), exitCode: 1 }
    expect((await rejection(verifyReceipt(receipt, { exitCode: 0 }))).name).toBe('ReceiptSignatureError')
  })
})

describe('tampering', () => {
  // Every field changed to another value that is still well-formed: the change must be caught.
  const tamper: Array<[string, (r: Receipt) => Receipt, string]> = [
    ['taskId', r => ({ ...r, taskId: r.taskId + 'x' }), 'ReceiptSignatureError'],
    ['moduleHash', r => ({ ...r, moduleHash: flipHex(r.moduleHash) }), 'ReceiptSignatureError'],
    ['inputHash', r => ({ ...r, inputHash: flipHex(r.inputHash) }), 'ReceiptSignatureError'],
    ['outputHash', r => ({ ...r, outputHash: flipHex(r.outputHash) }), 'ReceiptSignatureError'],
    ['stderrHash', r => ({ ...r, stderrHash: flipHex(r.stderrHash) }), 'ReceiptSignatureError'],
    ['args (changed)', r => ({ ...r, args: ['--lines', 'unicode €'] }), 'ReceiptSignatureError'],
    ['args (appended)', r => ({ ...r, args: [...r.args, ''] }), 'ReceiptSignatureError'],
    ['args (reordered)', r => ({ ...r, args: [...r.args].reverse() }), 'ReceiptSignatureError'],
    ['exitCode', r => ({ ...r, exitCode: r.exitCode + 1 }), 'ReceiptSignatureError'],
    ['startedAt', r => ({ ...r, startedAt: r.startedAt - 1 }), 'ReceiptSignatureError'],
    ['durationMs', r => ({ ...r, durationMs: r.durationMs + 1 }), 'ReceiptSignatureError'],
    ['timeoutMs', r => ({ ...r, timeoutMs: r.timeoutMs * 2 }), 'ReceiptSignatureError'],
    ['memoryLimitBytes', r => ({ ...r, memoryLimitBytes: r.memoryLimitBytes / 2 }), 'ReceiptSignatureError'],
    ['submitter', r => ({ ...r, submitter: r.executor }), 'ReceiptSignatureError'],
    ['executor', r => ({ ...r, executor: r.submitter }), 'ReceiptKeyMismatchError'],
    ['signature', r => ({ ...r, signature: (r.signature.startsWith('A') ? 'B' : 'A') + r.signature.slice(1) }), 'ReceiptSignatureError'],
    ['version', r => ({ ...r, version: 2 as 1 }), 'InvalidReceiptError']
  ]

  it.each(tamper)('%s', async (_, change, expected) => {
    const tampered = change(await signedExample())
    expect((await rejection(verifyReceipt(tampered))).name).toBe(expected)
  })

  it('publicKey: another key under the same executor is a key mismatch', async () => {
    const { submitter } = await fixedIdentities()
    const receipt = { ...await signedExample(), publicKey: bytesToBase64Url(submitter.publicKey) }
    expect((await rejection(verifyReceipt(receipt))).name).toBe('ReceiptKeyMismatchError')
  })

  it('executor and publicKey both swapped to another peer: the signature fails', async () => {
    const other = await createIdentity()
    const receipt = { ...await signedExample(), executor: other.peerId.toString(), publicKey: bytesToBase64Url(other.publicKey) }
    expect((await rejection(verifyReceipt(receipt))).name).toBe('ReceiptSignatureError')
  })

  it('a signature from the right key over other bytes fails', async () => {
    const { executor } = await fixedIdentities()
    const receipt = await signedExample()
    const forged = { ...receipt, exitCode: 1, signature: bytesToBase64Url(await executor.sign(new TextEncoder().encode(canonicalize({ ...receipt, exitCode: 1 })))) }
    expect((await rejection(verifyReceipt(forged))).name).toBe('ReceiptSignatureError')
  })
})

describe('parseReceipt', () => {
  it('round-trips through receiptToJson and JSON.parse', async () => {
    const receipt = await signedExample()
    const json = receiptToJson(receipt)
    expect(json.split('\n')[1]).toBe('  "version": 1,')
    expect(parseReceipt(JSON.parse(json))).toEqual(receipt)
  })

  it('returns a copy with only receipt fields', async () => {
    const receipt = await signedExample()
    const parsed = parseReceipt(receipt)
    expect(parsed).not.toBe(receipt)
    expect(parsed.args).not.toBe(receipt.args)
  })

  it.each<[string, (r: Record<string, unknown>) => unknown, string]>([
    ['not an object', () => [], '(root)'],
    ['null', () => null, '(root)'],
    ['an extra key', r => ({ ...r, extra: 1 }), 'extra'],
    ['a missing key', r => { const { durationMs: _, ...rest } = r; return rest }, 'durationMs'],
    ['version 2', r => ({ ...r, version: 2 }), 'version'],
    ['version "1"', r => ({ ...r, version: '1' }), 'version'],
    ['empty taskId', r => ({ ...r, taskId: '' }), 'taskId'],
    ['taskId of 65 chars', r => ({ ...r, taskId: 'a'.repeat(65) }), 'taskId'],
    ['taskId with a dot', r => ({ ...r, taskId: 'a.b' }), 'taskId'],
    ['uppercase hash', r => ({ ...r, moduleHash: 'A'.repeat(64) }), 'moduleHash'],
    ['short hash', r => ({ ...r, inputHash: 'a'.repeat(63) }), 'inputHash'],
    ['numeric hash', r => ({ ...r, outputHash: 1 }), 'outputHash'],
    ['missing stderrHash', r => ({ ...r, stderrHash: undefined }), 'stderrHash'],
    ['args not an array', r => ({ ...r, args: '--lines' }), 'args'],
    ['a non-string arg', r => ({ ...r, args: ['a', 1] }), 'args[1]'],
    ['a lone surrogate arg', r => ({ ...r, args: ['\ud800'] }), 'args[0]'],
    ['too many args', r => ({ ...r, args: new Array(MAX_RECEIPT_ARGS + 1).fill('') }), 'args'],
    ['an arg too long in UTF-8', r => ({ ...r, args: ['€'.repeat(Math.floor(MAX_RECEIPT_ARG_BYTES / 3) + 1)] }), 'args[0]'],
    ['fractional exitCode', r => ({ ...r, exitCode: 0.5 }), 'exitCode'],
    ['unsafe integer', r => ({ ...r, startedAt: 2 ** 53 }), 'startedAt'],
    ['negative duration', r => ({ ...r, durationMs: -1 }), 'durationMs'],
    ['NaN timeout', r => ({ ...r, timeoutMs: NaN }), 'timeoutMs'],
    ['string memory limit', r => ({ ...r, memoryLimitBytes: '64' }), 'memoryLimitBytes'],
    ['a non-PeerId executor', r => ({ ...r, executor: 'alice' }), 'executor'],
    ['a CID-form submitter', r => ({ ...r, submitter: 'bafzaajaiaejcb6g5rsh3cpycdggkjdj5nbm2ljodvaxkdh3kbmpxbvg6flaceqpb' }), 'submitter'],
    ['a 12D3KooW string that is no PeerId (low)', r => ({ ...r, submitter: '12D3KooW' + '1'.repeat(44) }), 'submitter'],
    ['a 12D3KooW string that is no PeerId (high)', r => ({ ...r, executor: '12D3KooW' + 'z'.repeat(44) }), 'executor'],
    ['padded publicKey', r => ({ ...r, publicKey: String(r.publicKey) + '=' }), 'publicKey'],
    ['short publicKey', r => ({ ...r, publicKey: String(r.publicKey).slice(0, 42) }), 'publicKey'],
    ['base64 (not url) signature', r => ({ ...r, signature: String(r.signature).replaceAll('-', '+') }), 'signature'],
    ['non-canonical signature bits', r => ({ ...r, signature: String(r.signature).slice(0, -1) + 'R' }), 'signature']
  ])('rejects %s, naming the field', async (_, change, field) => {
    const receipt = await signedExample() as unknown as Record<string, unknown>
    const err = thrown(() => parseReceipt(change(receipt)))
    expect(err.name).toBe('InvalidReceiptError')
    expect(err.field).toBe(field)
  })

  it('accepts the largest args and any integer exit code', async () => {
    const receipt = await signedExample()
    expect(() => parseReceipt({ ...receipt, args: ['x'.repeat(MAX_RECEIPT_ARG_BYTES)], exitCode: -1 })).not.toThrow()
  })

  it(`rejects a receipt over ${MAX_RECEIPT_BYTES} bytes in canonical form`, async () => {
    const receipt = await signedExample()
    const big = { ...receipt, args: new Array<string>(MAX_RECEIPT_ARGS).fill('x'.repeat(MAX_RECEIPT_ARG_BYTES)) }
    expect(thrown(() => parseReceipt(big)).name).toBe('ReceiptTooLargeError')
    const { executor, submitter } = await fixedIdentities()
    const unsigned = { ...exampleUnsigned(executor, submitter), args: big.args }
    expect((await rejection(signReceipt(unsigned, executor))).name).toBe('ReceiptTooLargeError')
  })
})

function flipHex (hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1)
}
