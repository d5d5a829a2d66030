import { bytesToBase64Url, sha256Hex } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import { chargeFor } from '../../../src/receipts/pricing/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { filesHash, signReceipt } from '../../../src/receipts/index.ts'
import type { Receipt, ReceiptStatus, UnsignedReceipt } from '../../../src/receipts/index.ts'

const enc = new TextEncoder()

/** Fixed seeds so the worked example in docs/receipt-format.md is reproducible. */
export const EXECUTOR_SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
export const SUBMITTER_SEED = Uint8Array.from({ length: 32 }, (_, i) => 0xff - i)

/** The example task's determinism seed: bytes 0x00 to 0x1f. */
export const TASK_SEED = Uint8Array.from({ length: 32 }, (_, i) => i)

/** The example's preopened directory before the run, deliberately not in path order. */
export const EXAMPLE_INPUT_FILES: Array<[string, Uint8Array]> = [
  ['notes.txt', enc.encode('x\n')],
  ['README', enc.encode('hi\n')]
]

/** The files the example run created or changed. */
export const EXAMPLE_OUTPUT_FILES: Array<[string, Uint8Array]> = [['out/count.txt', enc.encode('3\n')]]

export async function fixedIdentities (): Promise<{ executor: PeerIdentity, submitter: PeerIdentity }> {
  return { executor: await createIdentity(EXECUTOR_SEED), submitter: await createIdentity(SUBMITTER_SEED) }
}

/** The unsigned receipt of the worked example: `wc -l`-style task counting lines of "a\nb\nc\n". */
export function exampleUnsigned (executor: PeerIdentity, submitter: PeerIdentity): UnsignedReceipt {
  return {
    version: 3,
    taskId: 'task_01J9Z3K6QX',
    moduleHash: sha256Hex(enc.encode('(module)')),
    inputHash: sha256Hex(enc.encode('a\nb\nc\n')),
    outputHash: sha256Hex(enc.encode('3\n')),
    stderrHash: sha256Hex(new Uint8Array()),
    args: ['--lines', 'ünïcødé €'],
    env: [['LC_ALL', 'C.UTF-8'], ['GREETING', 'grüß dich']],
    seed: bytesToBase64Url(TASK_SEED),
    inputFilesHash: filesHash(EXAMPLE_INPUT_FILES),
    outputFilesHash: filesHash(EXAMPLE_OUTPUT_FILES),
    status: 'ok',
    exitCode: 0,
    startedAt: 1767225600000,
    durationMs: 42,
    limits: { timeoutMs: 10000, memoryBytes: 67108864, fuel: 1000000000 },
    fuelUsed: 48213,
    memoryPeakBytes: 131072,
    // ⌈48213·100/10^6⌉ + ⌈42·50/1000⌉ + ⌈131072·10/2^20⌉ = 5 + 3 + 2 micro-units, under the budget.
    price: { perMegaFuel: 100, perSecond: 50, perMb: 10, maxTotalPrice: 10000, charge: 10 },
    executor: executor.peerId.toString(),
    submitter: submitter.peerId.toString(),
    publicKey: bytesToBase64Url(executor.publicKey)
  }
}

export async function signedExample (): Promise<Receipt> {
  const { executor, submitter } = await fixedIdentities()
  return signReceipt(exampleUnsigned(executor, submitter), executor)
}

/**
 * `receipt` with `price.charge` recomputed from its prices, budget and
 * reported use, so a test can change fuelUsed, durationMs, memoryPeakBytes
 * or the prices and still have a valid receipt.
 */
export function recharged<T extends UnsignedReceipt> (receipt: T): T {
  const { price: { perMegaFuel, perSecond, perMb, maxTotalPrice }, fuelUsed, durationMs, memoryPeakBytes } = receipt
  const charge = chargeFor({ perMegaFuel, perSecond, perMb }, { fuel: fuelUsed, durationMs, memoryBytes: memoryPeakBytes }, maxTotalPrice)
  return { ...receipt, price: { perMegaFuel, perSecond, perMb, maxTotalPrice, charge } }
}

/** The example re-signed with some fields changed, its charge recomputed to match. */
export async function signedWith (change: Partial<UnsignedReceipt>): Promise<Receipt> {
  const { executor, submitter } = await fixedIdentities()
  return signReceipt(recharged({ ...exampleUnsigned(executor, submitter), ...change }), executor)
}

/** The statuses that are not the module's own exit, so have a null exitCode. */
export const FAILED_STATUSES: ReadonlyArray<Exclude<ReceiptStatus, 'ok' | 'exit'>> = ['trap', 'timeout', 'out-of-fuel', 'memory-limit', 'invalid-module']

/** The error a function throws; fails the test if it returns. */
export function thrown (fn: () => unknown): Error & { field?: string } {
  try {
    fn()
  } catch (err) {
    return err as Error & { field?: string }
  }
  throw new Error('expected a throw')
}
