/**
 * The version 3 schema as parseReceipt applies it: every constraint of
 * docs/receipt-format.md §3, each rejection naming its field.
 */
import { describe, expect, it } from 'vitest'
import { bytesToBase64Url, canonicalize, utf8ToBytes } from '../../../src/core/index.ts'
import {
  MAX_RECEIPT_ARG_BYTES, MAX_RECEIPT_ARGS, MAX_RECEIPT_ARGS_AND_ENV_BYTES, MAX_RECEIPT_BYTES, MAX_RECEIPT_ENV_ENTRIES,
  MAX_RECEIPT_ENV_NAME_BYTES, MAX_RECEIPT_ENV_VALUE_BYTES, RECEIPT_STATUSES, parseReceipt, receiptToJson, signReceipt, verifyReceipt
} from '../../../src/receipts/index.ts'
import { rejection } from '../../support/rejection.ts'
import { MAX_UNIT_PRICE } from '../../../src/receipts/pricing/index.ts'
import { FAILED_STATUSES, exampleUnsigned, fixedIdentities, recharged, signedExample, signedWith, thrown } from './fixtures.ts'

describe('parseReceipt', () => {
  it('round-trips through receiptToJson and JSON.parse', async () => {
    const receipt = await signedExample()
    const json = receiptToJson(receipt)
    expect(json.split('\n')[1]).toBe('  "version": 3,')
    expect(json).toContain('"limits": {\n    "timeoutMs": 10000,\n    "memoryBytes": 67108864,\n    "fuel": 1000000000\n  }')
    expect(json).toContain('"memoryPeakBytes": 131072,\n  "price": {\n    "perMegaFuel": 100,\n    "perSecond": 50,\n    "perMb": 10,\n    "maxTotalPrice": 10000,\n    "charge": 10\n  },\n  "executor"')
    expect(parseReceipt(JSON.parse(json))).toEqual(receipt)
  })

  it('returns a copy with only receipt fields', async () => {
    const receipt = await signedExample()
    const parsed = parseReceipt(receipt)
    expect(parsed).not.toBe(receipt)
    expect(parsed.args).not.toBe(receipt.args)
    expect(parsed.env).not.toBe(receipt.env)
    expect(parsed.env[0]).not.toBe(receipt.env[0])
    expect(parsed.limits).not.toBe(receipt.limits)
    expect(parsed.price).not.toBe(receipt.price)
  })

  it('rejects a version 1 receipt by its version', async () => {
    const { version: _, env: _e, seed: _s, inputFilesHash: _i, outputFilesHash: _o, status: _st, limits, fuelUsed: _f, memoryPeakBytes: _m, ...v1 } = await signedExample()
    const err = thrown(() => parseReceipt({ ...v1, version: 1, timeoutMs: limits.timeoutMs, memoryLimitBytes: limits.memoryBytes }))
    expect(err.name).toBe('InvalidReceiptError')
    expect(err.field).toBe('version')
  })

  it('rejects a version 2 receipt by its version', async () => {
    const { price: _, ...v2 } = await signedExample()
    const err = thrown(() => parseReceipt({ ...v2, version: 2 }))
    expect(err.name).toBe('InvalidReceiptError')
    expect(err.field).toBe('version')
  })

  const oneOver = (bytes: number): string => 'x'.repeat(bytes + 1)
  const pad = (bytes: number, ch = 'x'): string => ch.repeat(bytes)

  it.each<[string, (r: Record<string, unknown>) => unknown, string]>([
    ['not an object', () => [], '(root)'],
    ['null', () => null, '(root)'],
    ['an extra key', r => ({ ...r, extra: 1 }), 'extra'],
    ['a missing key', r => { const { durationMs: _, ...rest } = r; return rest }, 'durationMs'],
    ['a missing version', r => { const { version: _, ...rest } = r; return rest }, 'version'],
    ['v1\'s top-level timeoutMs', r => ({ ...r, timeoutMs: 10000 }), 'timeoutMs'],
    ['version 4', r => ({ ...r, version: 4 }), 'version'],
    ['version "3"', r => ({ ...r, version: '3' }), 'version'],
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
    ['args over the combined budget on their own', r => ({ ...r, args: [...new Array<string>(8).fill(pad(1024)), 'x'], env: [] }), 'args'],
    ['env not an array', r => ({ ...r, env: { LC_ALL: 'C' } }), 'env'],
    ['an env entry that is a string', r => ({ ...r, env: ['LC_ALL=C'] }), 'env[0]'],
    ['an env entry of three', r => ({ ...r, env: [['A', 'b'], ['LC_ALL', 'C', 'x']] }), 'env[1]'],
    ['an env entry of one', r => ({ ...r, env: [['LC_ALL']] }), 'env[0]'],
    ['an empty env name', r => ({ ...r, env: [['', 'x']] }), 'env[0][0]'],
    ['an env name with "="', r => ({ ...r, env: [['A=B', 'x']] }), 'env[0][0]'],
    ['an env name too long in UTF-8', r => ({ ...r, env: [[pad(MAX_RECEIPT_ENV_NAME_BYTES / 2 + 1, 'é'), 'x']] }), 'env[0][0]'],
    ['a non-string env name', r => ({ ...r, env: [[1, 'x']] }), 'env[0][0]'],
    ['a lone surrogate env name', r => ({ ...r, env: [['\udc00', 'x']] }), 'env[0][0]'],
    ['an env value too long', r => ({ ...r, env: [['A', oneOver(MAX_RECEIPT_ENV_VALUE_BYTES)]] }), 'env[0][1]'],
    ['a null env value', r => ({ ...r, env: [['A', null]] }), 'env[0][1]'],
    ['a lone surrogate env value', r => ({ ...r, env: [['A', 'x\ud800']] }), 'env[0][1]'],
    ['too many env entries', r => ({ ...r, env: Array.from({ length: MAX_RECEIPT_ENV_ENTRIES + 1 }, (_, i) => [`V${i}`, '']) }), 'env'],
    ['args and env one byte over the combined budget', r => ({ ...r, args: [pad(1024)], env: Array.from({ length: 7 }, (_, i) => [`V${i}`, pad(i === 0 ? 1023 : 1022)]) }), 'env'],
    ['a seed of 31 bytes', r => ({ ...r, seed: bytesToBase64Url(new Uint8Array(31)) }), 'seed'],
    ['a seed of 33 bytes', r => ({ ...r, seed: bytesToBase64Url(new Uint8Array(33)) }), 'seed'],
    ['a padded seed', r => ({ ...r, seed: String(r.seed) + '=' }), 'seed'],
    ['a hex seed', r => ({ ...r, seed: '00'.repeat(32) }), 'seed'],
    ['a seed as an array', r => ({ ...r, seed: new Array(32).fill(0) }), 'seed'],
    ['uppercase inputFilesHash', r => ({ ...r, inputFilesHash: String(r.inputFilesHash).toUpperCase() }), 'inputFilesHash'],
    ['null outputFilesHash', r => ({ ...r, outputFilesHash: null }), 'outputFilesHash'],
    ['an unknown status', r => ({ ...r, status: 'crashed' }), 'status'],
    ['status "OK"', r => ({ ...r, status: 'OK' }), 'status'],
    ['status ok with exitCode 1', r => ({ ...r, exitCode: 1 }), 'exitCode'],
    ['status ok with exitCode null', r => ({ ...r, exitCode: null }), 'exitCode'],
    ['status ok with exitCode "0"', r => ({ ...r, exitCode: '0' }), 'exitCode'],
    ['status exit with exitCode 0', r => ({ ...r, status: 'exit' }), 'exitCode'],
    ['status exit with exitCode null', r => ({ ...r, status: 'exit', exitCode: null }), 'exitCode'],
    ['status exit with a fractional exitCode', r => ({ ...r, status: 'exit', exitCode: 0.5 }), 'exitCode'],
    ['status exit with an unsafe exitCode', r => ({ ...r, status: 'exit', exitCode: -(2 ** 53) }), 'exitCode'],
    ['unsafe integer', r => ({ ...r, startedAt: 2 ** 53 }), 'startedAt'],
    ['negative duration', r => ({ ...r, durationMs: -1 }), 'durationMs'],
    ['limits not an object', r => ({ ...r, limits: [10000, 67108864, 1000] }), 'limits'],
    ['null limits', r => ({ ...r, limits: null }), 'limits'],
    ['an extra limits member', r => ({ ...r, limits: { ...r.limits as object, stackBytes: 1 } }), 'limits.stackBytes'],
    ['v1\'s memoryLimitBytes inside limits', r => ({ ...r, limits: { timeoutMs: 1, memoryLimitBytes: 65536, fuel: 1 } }), 'limits.memoryLimitBytes'],
    ['a missing limits.fuel', r => { const { fuel: _, ...rest } = r.limits as Record<string, unknown>; return { ...r, limits: rest } }, 'limits.fuel'],
    ['limits.timeoutMs of 0', r => ({ ...r, limits: { ...r.limits as object, timeoutMs: 0 } }), 'limits.timeoutMs'],
    ['NaN limits.timeoutMs', r => ({ ...r, limits: { ...r.limits as object, timeoutMs: NaN } }), 'limits.timeoutMs'],
    ['limits.memoryBytes under one page', r => ({ ...r, limits: { ...r.limits as object, memoryBytes: 65535 } }), 'limits.memoryBytes'],
    ['string limits.memoryBytes', r => ({ ...r, limits: { ...r.limits as object, memoryBytes: '64' } }), 'limits.memoryBytes'],
    ['negative limits.fuel', r => ({ ...r, limits: { ...r.limits as object, fuel: -1 } }), 'limits.fuel'],
    ['fractional limits.fuel', r => ({ ...r, limits: { ...r.limits as object, fuel: 1.5 } }), 'limits.fuel'],
    ['limits.fuel of 2^53', r => ({ ...r, limits: { ...r.limits as object, fuel: 2 ** 53 } }), 'limits.fuel'],
    ['fuelUsed above limits.fuel', r => ({ ...r, fuelUsed: 1000000001 }), 'fuelUsed'],
    ['negative fuelUsed', r => ({ ...r, fuelUsed: -1 }), 'fuelUsed'],
    ['null fuelUsed on ok', r => ({ ...r, fuelUsed: null }), 'fuelUsed'],
    ['null fuelUsed on out-of-fuel', r => ({ ...r, status: 'out-of-fuel', exitCode: null, fuelUsed: null }), 'fuelUsed'],
    ['negative memoryPeakBytes', r => ({ ...r, memoryPeakBytes: -65536 }), 'memoryPeakBytes'],
    ['fractional memoryPeakBytes', r => ({ ...r, memoryPeakBytes: 1.5 }), 'memoryPeakBytes'],
    ['a missing price', r => { const { price: _, ...rest } = r; return rest }, 'price'],
    ['price not an object', r => ({ ...r, price: [100, 50, 10, 10000, 10] }), 'price'],
    ['null price', r => ({ ...r, price: null }), 'price'],
    ['an extra price member', r => ({ ...r, price: { ...r.price as object, currency: 'µ' } }), 'price.currency'],
    ['a missing price.charge', r => { const { charge: _, ...rest } = r.price as Record<string, unknown>; return { ...r, price: rest } }, 'price.charge'],
    ['a missing price.perMegaFuel', r => { const { perMegaFuel: _, ...rest } = r.price as Record<string, unknown>; return { ...r, price: rest } }, 'price.perMegaFuel'],
    ['negative price.perMegaFuel', r => ({ ...r, price: { ...r.price as object, perMegaFuel: -1 } }), 'price.perMegaFuel'],
    ['price.perMegaFuel above MAX_UNIT_PRICE', r => ({ ...r, price: { ...r.price as object, perMegaFuel: MAX_UNIT_PRICE + 1 } }), 'price.perMegaFuel'],
    ['fractional price.perSecond', r => ({ ...r, price: { ...r.price as object, perSecond: 50.5 } }), 'price.perSecond'],
    ['price.perSecond above MAX_UNIT_PRICE', r => ({ ...r, price: { ...r.price as object, perSecond: MAX_UNIT_PRICE + 1 } }), 'price.perSecond'],
    ['string price.perMb', r => ({ ...r, price: { ...r.price as object, perMb: '10' } }), 'price.perMb'],
    ['price.perMb above MAX_UNIT_PRICE', r => ({ ...r, price: { ...r.price as object, perMb: MAX_UNIT_PRICE + 1 } }), 'price.perMb'],
    ['negative price.maxTotalPrice', r => ({ ...r, price: { ...r.price as object, maxTotalPrice: -1 } }), 'price.maxTotalPrice'],
    ['price.maxTotalPrice of 2^53', r => ({ ...r, price: { ...r.price as object, maxTotalPrice: 2 ** 53 } }), 'price.maxTotalPrice'],
    ['null price.maxTotalPrice', r => ({ ...r, price: { ...r.price as object, maxTotalPrice: null } }), 'price.maxTotalPrice'],
    ['negative price.charge', r => ({ ...r, price: { ...r.price as object, charge: -1 } }), 'price.charge'],
    ['fractional price.charge', r => ({ ...r, price: { ...r.price as object, charge: 10.5 } }), 'price.charge'],
    ['price.charge one more than the prices give', r => ({ ...r, price: { ...r.price as object, charge: 11 } }), 'price.charge'],
    ['price.charge one less than the prices give', r => ({ ...r, price: { ...r.price as object, charge: 9 } }), 'price.charge'],
    ['price.charge above maxTotalPrice', r => ({ ...r, price: { ...r.price as object, maxTotalPrice: 7 } }), 'price.charge'],
    ['price.charge not recomputed after fuelUsed changed', r => ({ ...r, fuelUsed: 0 }), 'price.charge'],
    ['a non-PeerId executor', r => ({ ...r, executor: 'alice' }), 'executor'],
    ['a CID-form submitter', r => ({ ...r, submitter: 'bafzaajaiaejcb6g5rsh3cpycdggkjdj5nbm2ljodvaxkdh3kbmpxbvg6flaceqpb' }), 'submitter'],
    ['a 12D3KooW string that is no PeerId (low)', r => ({ ...r, submitter: '12D3KooW' + '1'.repeat(44) }), 'submitter'],
    ['a 12D3KooW string that is no PeerId (high)', r => ({ ...r, executor: '12D3KooW' + 'z'.repeat(44) }), 'executor'],
    ['padded publicKey', r => ({ ...r, publicKey: String(r.publicKey) + '=' }), 'publicKey'],
    ['short publicKey', r => ({ ...r, publicKey: String(r.publicKey).slice(0, 42) }), 'publicKey'],
    ['a signature with "+" (base64, not base64url)', r => ({ ...r, signature: '+' + String(r.signature).slice(1) }), 'signature'],
    ['non-canonical signature bits', r => ({ ...r, signature: String(r.signature).slice(0, -1) + 'R' }), 'signature']
  ])('rejects %s, naming the field', async (_, change, field) => {
    const receipt = await signedExample() as unknown as Record<string, unknown>
    const err = thrown(() => parseReceipt(change(receipt)))
    expect(err.name).toBe('InvalidReceiptError')
    expect(err.field).toBe(field)
  })

  it.each(FAILED_STATUSES)('rejects an exit code with status %s', async status => {
    const receipt = await signedExample()
    for (const exitCode of [0, 1, -1]) {
      const err = thrown(() => parseReceipt({ ...receipt, status, exitCode, fuelUsed: 0 }))
      expect(err.field).toBe('exitCode')
    }
    expect(() => parseReceipt(recharged({ ...receipt, status, exitCode: null, fuelUsed: 0 }))).not.toThrow()
  })

  it('accepts every status with its exit code, and null fuelUsed only on timeout', async () => {
    const receipt = await signedExample()
    expect(RECEIPT_STATUSES).toEqual(['ok', 'exit', 'trap', 'timeout', 'out-of-fuel', 'memory-limit', 'invalid-module'])
    expect(() => parseReceipt({ ...receipt, status: 'ok', exitCode: 0 })).not.toThrow()
    for (const exitCode of [1, -1, 255, 2 ** 32 - 1, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]) {
      expect(() => parseReceipt({ ...receipt, status: 'exit', exitCode })).not.toThrow()
    }
    expect(parseReceipt(recharged({ ...receipt, status: 'timeout', exitCode: null, fuelUsed: null })).fuelUsed).toBeNull()
    expect(parseReceipt(recharged({ ...receipt, status: 'timeout', exitCode: null, fuelUsed: 5 })).fuelUsed).toBe(5)
  })

  it('charges unread fuel (a timeout\'s null fuelUsed) as none', async () => {
    const receipt = await signedExample()
    // ⌈42·50/1000⌉ + ⌈131072·10/2^20⌉ = 3 + 2: the fuel part is 0.
    const timedOut = { ...receipt, status: 'timeout' as const, exitCode: null, fuelUsed: null }
    expect(parseReceipt({ ...timedOut, price: { ...receipt.price, charge: 5 } }).price.charge).toBe(5)
    expect(thrown(() => parseReceipt(timedOut)).field).toBe('price.charge')
  })

  it('accepts a charge capped at maxTotalPrice, a budget of 0, and free prices', async () => {
    const receipt = await signedExample()
    expect(parseReceipt({ ...receipt, price: { ...receipt.price, maxTotalPrice: 7, charge: 7 } }).price.charge).toBe(7)
    expect(parseReceipt({ ...receipt, price: { ...receipt.price, maxTotalPrice: 0, charge: 0 } }).price.charge).toBe(0)
    const free = { perMegaFuel: 0, perSecond: 0, perMb: 0, maxTotalPrice: 10000, charge: 0 }
    expect(parseReceipt({ ...receipt, price: free }).price).toEqual(free)
    // Prices at MAX_UNIT_PRICE with the widest use: the uncapped charge overflows 2^53 − 1 and is capped like any other.
    const most = Number.MAX_SAFE_INTEGER
    const widest = {
      ...receipt,
      limits: { ...receipt.limits, fuel: most },
      fuelUsed: most,
      price: { perMegaFuel: MAX_UNIT_PRICE, perSecond: MAX_UNIT_PRICE, perMb: MAX_UNIT_PRICE, maxTotalPrice: most, charge: most }
    }
    expect(parseReceipt(widest).price.charge).toBe(most)
  })

  it('accepts limits at their bounds, fuel budgets up to 2^53 − 1, and fuelUsed equal to the budget', async () => {
    const receipt = await signedExample()
    const least = recharged({ ...receipt, limits: { timeoutMs: 1, memoryBytes: 65536, fuel: 0 }, fuelUsed: 0, memoryPeakBytes: 0 })
    expect(parseReceipt(least).limits).toEqual({ timeoutMs: 1, memoryBytes: 65536, fuel: 0 })
    const most = Number.MAX_SAFE_INTEGER
    const widest = recharged({ ...receipt, limits: { timeoutMs: most, memoryBytes: most, fuel: most }, fuelUsed: most, memoryPeakBytes: most })
    expect(parseReceipt(widest).fuelUsed).toBe(most)
    expect(parseReceipt(recharged({ ...receipt, status: 'out-of-fuel', exitCode: null, fuelUsed: receipt.limits.fuel })).fuelUsed).toBe(receipt.limits.fuel)
  })

  it('normalizes -0 to 0', async () => {
    const receipt = await signedExample()
    const price = { perMegaFuel: -0, perSecond: 50, perMb: 10, maxTotalPrice: -0, charge: -0 }
    const parsed = parseReceipt({ ...receipt, exitCode: -0, fuelUsed: -0, limits: { ...receipt.limits, fuel: -0 }, price })
    expect(Object.is(parsed.exitCode, 0)).toBe(true)
    expect(Object.is(parsed.fuelUsed, 0)).toBe(true)
    expect(Object.is(parsed.limits.fuel, 0)).toBe(true)
    for (const value of [parsed.price.perMegaFuel, parsed.price.maxTotalPrice, parsed.price.charge]) expect(Object.is(value, 0)).toBe(true)
  })

  it('accepts env at its limits: entries, name and value lengths, and the combined budget to the byte', async () => {
    const receipt = await signedExample()
    const entries = Array.from({ length: MAX_RECEIPT_ENV_ENTRIES }, (_, i): [string, string] => [`V${i}`, ''])
    expect(parseReceipt({ ...receipt, env: entries }).env).toHaveLength(MAX_RECEIPT_ENV_ENTRIES)
    const longest: [string, string] = [pad(MAX_RECEIPT_ENV_NAME_BYTES / 2, 'é'), pad(MAX_RECEIPT_ENV_VALUE_BYTES / 4, '😀')]
    expect(() => parseReceipt({ ...receipt, env: [longest, ['X', 'y']] })).not.toThrow()
    expect(() => parseReceipt({ ...receipt, env: [['A', '=='], ['A', 'again'], ['\u0000', '\n']] })).not.toThrow()
    // 1024 (args) + 7 × (2 + 1022) = 8192 bytes exactly; one more byte is refused.
    const full = { ...receipt, args: [pad(1024)], env: Array.from({ length: 7 }, (_, i): [string, string] => [`V${i}`, pad(1022)]) }
    expect(() => parseReceipt(full)).not.toThrow()
    const over = { ...full, env: [...full.env, ['Z', ''] as [string, string]] }
    expect(thrown(() => parseReceipt(over)).field).toBe('env')
  })

  it('accepts the largest arg', async () => {
    const receipt = await signedExample()
    expect(() => parseReceipt({ ...receipt, args: ['x'.repeat(MAX_RECEIPT_ARG_BYTES)] })).not.toThrow()
  })

  it(`fits a receipt with args and env at their limits, every byte escaped, in ${MAX_RECEIPT_BYTES} bytes`, async () => {
    // U+0001 is one byte of UTF-8 but six in canonical JSON (\u0001): the worst case for size.
    const c = '\u0001'
    const most = Number.MAX_SAFE_INTEGER
    const perArg = MAX_RECEIPT_ARGS_AND_ENV_BYTES / 2 / MAX_RECEIPT_ARGS
    const perEnv = MAX_RECEIPT_ARGS_AND_ENV_BYTES / 2 / MAX_RECEIPT_ENV_ENTRIES
    const receipt = await signedWith({
      taskId: 'x'.repeat(64),
      args: new Array<string>(MAX_RECEIPT_ARGS).fill(c.repeat(perArg)),
      env: Array.from({ length: MAX_RECEIPT_ENV_ENTRIES }, (): [string, string] => [c, c.repeat(perEnv - 1)]),
      status: 'exit',
      exitCode: -most,
      startedAt: most,
      durationMs: most,
      limits: { timeoutMs: most, memoryBytes: most, fuel: most },
      fuelUsed: most,
      memoryPeakBytes: most,
      price: { perMegaFuel: MAX_UNIT_PRICE, perSecond: MAX_UNIT_PRICE, perMb: MAX_UNIT_PRICE, maxTotalPrice: most, charge: most }
    })
    const bytes = (s: string): number => utf8ToBytes(s).length
    expect(receipt.args.reduce((n, a) => n + bytes(a), 0) + receipt.env.reduce((n, [k, v]) => n + bytes(k) + bytes(v), 0)).toBe(MAX_RECEIPT_ARGS_AND_ENV_BYTES)
    const size = bytes(canonicalize(receipt))
    expect(size).toBe(51202)
    expect(size).toBeLessThanOrEqual(MAX_RECEIPT_BYTES)
    await verifyReceipt(parseReceipt(JSON.parse(receiptToJson(receipt))))
  })

  it(`rejects a value over ${MAX_RECEIPT_BYTES} bytes in canonical form before checking its fields`, async () => {
    const receipt = await signedExample()
    const big = { ...receipt, args: new Array<string>(MAX_RECEIPT_ARGS).fill('x'.repeat(MAX_RECEIPT_ARG_BYTES)) }
    expect(thrown(() => parseReceipt(big)).name).toBe('ReceiptTooLargeError')
    expect(thrown(() => parseReceipt({ ...receipt, extra: 'x'.repeat(MAX_RECEIPT_BYTES) })).name).toBe('ReceiptTooLargeError')
    const { executor, submitter } = await fixedIdentities()
    const unsigned = { ...exampleUnsigned(executor, submitter), args: big.args }
    expect((await rejection(signReceipt(unsigned, executor))).field).toBe('args')
  })
})
