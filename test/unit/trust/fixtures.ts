import { bytesToBase64Url, sha256Hex } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import type { UnsignedReceipt } from '../../../src/trust/index.ts'

const enc = new TextEncoder()

/** Fixed seeds so the worked example in docs/receipt-format.md is reproducible. */
export const EXECUTOR_SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
export const SUBMITTER_SEED = Uint8Array.from({ length: 32 }, (_, i) => 0xff - i)

export async function fixedIdentities (): Promise<{ executor: PeerIdentity, submitter: PeerIdentity }> {
  return { executor: await createIdentity(EXECUTOR_SEED), submitter: await createIdentity(SUBMITTER_SEED) }
}

/** The unsigned receipt of the worked example: `wc -l`-style task counting lines of "a\nb\nc\n". */
export function exampleUnsigned (executor: PeerIdentity, submitter: PeerIdentity): UnsignedReceipt {
  return {
    version: 1,
    taskId: 'task_01J9Z3K6QX',
    moduleHash: sha256Hex(enc.encode('(module)')),
    inputHash: sha256Hex(enc.encode('a\nb\nc\n')),
    outputHash: sha256Hex(enc.encode('3\n')),
    stderrHash: sha256Hex(new Uint8Array()),
    args: ['--lines', 'ünïcødé €'],
    exitCode: 0,
    startedAt: 1767225600000,
    durationMs: 42,
    timeoutMs: 10000,
    memoryLimitBytes: 67108864,
    executor: executor.peerId.toString(),
    submitter: submitter.peerId.toString(),
    publicKey: bytesToBase64Url(executor.publicKey)
  }
}
