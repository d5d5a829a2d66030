import { describe, expect, it } from 'vitest'
import { bytesToBase64Url, canonicalize } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import { signReceipt, verifyReceipt } from '../../../src/receipts/index.ts'
import type { Receipt, ReceiptExpectations } from '../../../src/receipts/index.ts'
import { rejection } from '../../support/rejection.ts'
import { FAILED_STATUSES, exampleUnsigned, fixedIdentities, signedExample, signedWith } from './fixtures.ts'

describe('signReceipt', () => {
  it('reproduces the worked example in docs/receipt-format.md (Ed25519 is deterministic)', async () => {
    const receipt = await signedExample()
    expect(receipt.executor).toBe('12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf')
    expect(receipt.publicKey).toBe('ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ')
    expect(receipt.signature).toBe('F35FEBpx4sdyBE96knpJQfIuVEQMWgAJYtnY0uxHgFCEvc8yJq77emiLe4PfkeFIuR1D7LRKouDafdheRt9oAA')
    await verifyReceipt(receipt)
  })

  it('signs failed runs too', async () => {
    for (const status of FAILED_STATUSES) {
      const receipt = await signedWith({ status, exitCode: null, fuelUsed: status === 'timeout' ? null : 0 })
      await verifyReceipt(receipt, { status, exitCode: null })
    }
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
    const unsigned = { ...exampleUnsigned(executor, submitter), status: 'exit' as const, exitCode: 1.5 }
    const err = await rejection(signReceipt(unsigned, executor))
    expect(err.name).toBe('InvalidReceiptError')
    expect(err.field).toBe('exitCode')
    const overBudget = { ...exampleUnsigned(executor, submitter), fuelUsed: 1000000001 }
    expect((await rejection(signReceipt(overBudget, executor))).field).toBe('fuelUsed')
    const withSignature = { ...exampleUnsigned(executor, submitter), signature: 'x' }
    expect((await rejection(signReceipt(withSignature, executor))).field).toBe('signature')
  })

  it('refuses to sign a charge that does not follow from the prices, or above the budget', async () => {
    const { executor, submitter } = await fixedIdentities()
    const unsigned = exampleUnsigned(executor, submitter)
    for (const price of [
      { ...unsigned.price, charge: 11 },
      { ...unsigned.price, charge: 9 },
      // Uncapped: 10 µ is owed, but the budget is 7.
      { ...unsigned.price, maxTotalPrice: 7 }
    ]) {
      const err = await rejection(signReceipt({ ...unsigned, price }, executor))
      expect(err.name).toBe('InvalidReceiptError')
      expect(err.field).toBe('price.charge')
    }
  })

  it('signs a charge capped at maxTotalPrice, and a free run', async () => {
    const capped = await signedWith({ price: { perMegaFuel: 100, perSecond: 50, perMb: 10, maxTotalPrice: 7, charge: 0 } })
    expect(capped.price).toEqual({ perMegaFuel: 100, perSecond: 50, perMb: 10, maxTotalPrice: 7, charge: 7 })
    await verifyReceipt(capped)
    const free = await signedWith({ price: { perMegaFuel: 0, perSecond: 0, perMb: 0, maxTotalPrice: 0, charge: 0 } })
    expect(free.price.charge).toBe(0)
    await verifyReceipt(free)
  })
})

describe('verifyReceipt', () => {
  it('accepts matching expectations', async () => {
    const receipt = await signedExample()
    const {
      taskId, moduleHash, inputHash, outputHash, stderrHash, args, env, seed, inputFilesHash, outputFilesHash,
      status, exitCode, limits, executor, submitter
    } = receipt
    await verifyReceipt(receipt, {
      taskId,
      moduleHash,
      inputHash,
      outputHash,
      stderrHash,
      args: [...args],
      env: env.map(([name, value]) => [name, value]),
      seed,
      inputFilesHash,
      outputFilesHash,
      status,
      exitCode,
      limits: { ...limits },
      executor,
      submitter
    })
    await verifyReceipt(receipt, { taskId: undefined })
  })

  it('compares limits by canonical JSON, so member order does not matter', async () => {
    const receipt = await signedExample()
    const { timeoutMs, memoryBytes, fuel } = receipt.limits
    await verifyReceipt(receipt, { limits: { fuel, memoryBytes, timeoutMs } })
  })

  it('expects null exit codes as null', async () => {
    const receipt = await signedWith({ status: 'timeout', exitCode: null, fuelUsed: null })
    await verifyReceipt(receipt, { status: 'timeout', exitCode: null })
    expect((await rejection(verifyReceipt(receipt, { exitCode: 0 }))).field).toBe('exitCode')
  })

  it.each<[keyof ReceiptExpectations, unknown]>([
    ['taskId', 'other-task'],
    ['moduleHash', '0'.repeat(64)],
    ['inputHash', '0'.repeat(64)],
    ['outputHash', '0'.repeat(64)],
    ['stderrHash', '0'.repeat(64)],
    ['args', ['--lines']],
    ['env', [['LC_ALL', 'C.UTF-8']]],
    ['env', [['GREETING', 'grüß dich'], ['LC_ALL', 'C.UTF-8']]],
    ['seed', 'A'.repeat(43)],
    ['inputFilesHash', '0'.repeat(64)],
    ['outputFilesHash', '0'.repeat(64)],
    ['status', 'exit'],
    ['exitCode', 1],
    ['limits', { timeoutMs: 10000, memoryBytes: 67108864, fuel: 1 }],
    ['limits', { timeoutMs: 10000, memoryBytes: 67108864 }],
    ['executor', '12D3KooWNQHGF6MZJ5WBLJ1VSUcLHhynAiHURkPC1asyhoFgR5t9'],
    ['submitter', '12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf']
  ])('names %s when it differs from the expectation', async (field, value) => {
    const receipt = await signedExample()
    const err = await rejection(verifyReceipt(receipt, { [field]: value }))
    expect(err.name).toBe('ReceiptMismatchError')
    expect(err.field).toBe(field)
  })

  it('checks the signature before expectations', async () => {
    // 48214 fuel still costs 5 µ, so the receipt stays well-formed and only the signature is wrong.
    const receipt = { ...await signedExample(), fuelUsed: 48214 }
    expect((await rejection(verifyReceipt(receipt, { status: 'trap' }))).name).toBe('ReceiptSignatureError')
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
    ['env (value changed)', r => ({ ...r, env: [r.env[0]!, ['GREETING', 'grüss dich']] }), 'ReceiptSignatureError'],
    ['env (name changed)', r => ({ ...r, env: [['LC_CTYPE', 'C.UTF-8'], r.env[1]!] }), 'ReceiptSignatureError'],
    ['env (appended)', r => ({ ...r, env: [...r.env, ['HOME', '/work']] }), 'ReceiptSignatureError'],
    ['env (removed)', r => ({ ...r, env: r.env.slice(1) }), 'ReceiptSignatureError'],
    ['env (reordered)', r => ({ ...r, env: [...r.env].reverse() }), 'ReceiptSignatureError'],
    ['seed', r => ({ ...r, seed: (r.seed.startsWith('A') ? 'B' : 'A') + r.seed.slice(1) }), 'ReceiptSignatureError'],
    ['inputFilesHash', r => ({ ...r, inputFilesHash: flipHex(r.inputFilesHash) }), 'ReceiptSignatureError'],
    ['outputFilesHash', r => ({ ...r, outputFilesHash: flipHex(r.outputFilesHash) }), 'ReceiptSignatureError'],
    ['status and exitCode (ok → exit 1)', r => ({ ...r, status: 'exit', exitCode: 1 }), 'ReceiptSignatureError'],
    ['status and exitCode (ok → trap)', r => ({ ...r, status: 'trap', exitCode: null }), 'ReceiptSignatureError'],
    ['startedAt', r => ({ ...r, startedAt: r.startedAt - 1 }), 'ReceiptSignatureError'],
    ['durationMs', r => ({ ...r, durationMs: r.durationMs + 1 }), 'ReceiptSignatureError'],
    ['limits.timeoutMs', r => ({ ...r, limits: { ...r.limits, timeoutMs: r.limits.timeoutMs * 2 } }), 'ReceiptSignatureError'],
    ['limits.memoryBytes', r => ({ ...r, limits: { ...r.limits, memoryBytes: r.limits.memoryBytes / 2 } }), 'ReceiptSignatureError'],
    ['limits.fuel', r => ({ ...r, limits: { ...r.limits, fuel: r.limits.fuel + 1 } }), 'ReceiptSignatureError'],
    ['fuelUsed', r => ({ ...r, fuelUsed: (r.fuelUsed ?? 0) + 1 }), 'ReceiptSignatureError'],
    ['memoryPeakBytes', r => ({ ...r, memoryPeakBytes: r.memoryPeakBytes + 65536 }), 'ReceiptSignatureError'],
    // Each unit price moved by one: the charge still follows (rounding up absorbs it), only the signature catches it.
    ['price.perMegaFuel', r => ({ ...r, price: { ...r.price, perMegaFuel: r.price.perMegaFuel + 1 } }), 'ReceiptSignatureError'],
    ['price.perSecond', r => ({ ...r, price: { ...r.price, perSecond: r.price.perSecond + 1 } }), 'ReceiptSignatureError'],
    ['price.perMb', r => ({ ...r, price: { ...r.price, perMb: r.price.perMb + 1 } }), 'ReceiptSignatureError'],
    ['price.maxTotalPrice', r => ({ ...r, price: { ...r.price, maxTotalPrice: r.price.maxTotalPrice + 1 } }), 'ReceiptSignatureError'],
    ['price.maxTotalPrice and charge (lowered together)', r => ({ ...r, price: { ...r.price, maxTotalPrice: 9, charge: 9 } }), 'ReceiptSignatureError'],
    ['price.charge alone', r => ({ ...r, price: { ...r.price, charge: r.price.charge + 1 } }), 'InvalidReceiptError'],
    ['submitter', r => ({ ...r, submitter: r.executor }), 'ReceiptSignatureError'],
    ['executor', r => ({ ...r, executor: r.submitter }), 'ReceiptKeyMismatchError'],
    ['signature', r => ({ ...r, signature: (r.signature.startsWith('A') ? 'B' : 'A') + r.signature.slice(1) }), 'ReceiptSignatureError'],
    ['version', r => ({ ...r, version: 2 as 3 }), 'InvalidReceiptError']
  ]

  it.each(tamper)('%s', async (_, change, expected) => {
    const tampered = change(await signedExample())
    expect((await rejection(verifyReceipt(tampered))).name).toBe(expected)
  })

  it('exitCode of an exit status', async () => {
    const receipt = await signedWith({ status: 'exit', exitCode: 2 })
    await verifyReceipt(receipt)
    expect((await rejection(verifyReceipt({ ...receipt, exitCode: 3 }))).name).toBe('ReceiptSignatureError')
  })

  it('fuelUsed of a timeout: null ↔ a number', async () => {
    const unread = await signedWith({ status: 'timeout', exitCode: null, fuelUsed: null })
    expect((await rejection(verifyReceipt({ ...unread, fuelUsed: 0 }))).name).toBe('ReceiptSignatureError')
    // With fuel free, 7 and null cost the same: the charge cannot give the change away, the signature must.
    const read = await signedWith({ status: 'timeout', exitCode: null, fuelUsed: 7, price: { perMegaFuel: 0, perSecond: 50, perMb: 10, maxTotalPrice: 10000, charge: 0 } })
    expect((await rejection(verifyReceipt({ ...read, fuelUsed: null }))).name).toBe('ReceiptSignatureError')
  })

  it('limits stored with their members in another order is not tampering', async () => {
    const receipt = await signedExample()
    const { timeoutMs, memoryBytes, fuel } = receipt.limits
    await verifyReceipt({ ...receipt, limits: { fuel, memoryBytes, timeoutMs } })
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
    const forged = { ...receipt, fuelUsed: 48214, signature: bytesToBase64Url(await executor.sign(new TextEncoder().encode(canonicalize({ ...receipt, fuelUsed: 48214 })))) }
    expect((await rejection(verifyReceipt(forged))).name).toBe('ReceiptSignatureError')
  })
})

function flipHex (hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1)
}
