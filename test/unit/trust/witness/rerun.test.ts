/**
 * What a witness relies on, in Node with the real sandbox: a re-run from the
 * receipt alone reproduces an honest executor's every deterministic field
 * (clock and random from the seed, fuel), and exposes an executor that signs
 * a correct signature over a wrong output — which its submitter accepted,
 * since the receipt matches what it was sent.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { base64UrlToBytes } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { createNodeWorkerPool } from '../../../../src/execution/node-host.node.ts'
import { TASK_PROTOCOL } from '../../../../src/orchestration/task-protocol/index.ts'
import { TaskExecutor, submitTask, validateOffer } from '../../../../src/orchestration/task-protocol/index.ts'
import type { TaskRunner } from '../../../../src/execution/types.ts'
import { createMemoryStore } from '../../../../src/storage/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'
import { differences, observedRun, verdictOf } from '../../../../src/receipts/attestation/index.ts'
import { startTestNode } from '../../../support/libp2p-node.ts'
import { wireOffer } from '../../../support/task-offer.ts'
import { ensureSamplesBuilt, sampleBytes } from '../../execution/samples.ts'

const executorPool = createNodeWorkerPool({ slots: 1 })
const witnessPool = createNodeWorkerPool({ slots: 1 })

/** A runner that signs for a corrupted first byte of stdout: a cheat only a re-run can see. */
const corrupting: TaskRunner = {
  async run (moduleHash, module, input, limits, options) {
    const result = await executorPool.run(moduleHash, module, input, limits, options)
    const stdout = result.stdout.slice()
    stdout[0] = (stdout[0] ?? 0) ^ 1
    return { ...result, stdout }
  }
}

describe('a witness re-run from the receipt', () => {
  let submitter: { identity: PeerIdentity, node: Libp2p }
  const executors: Record<'honest' | 'cheat', { identity: PeerIdentity, node: Libp2p }> = {} as never
  let entropy: Uint8Array<ArrayBuffer>

  beforeAll(async () => {
    await ensureSamplesBuilt()
    entropy = await sampleBytes('entropy')
    const identity = await createIdentity()
    submitter = { identity, node: await startTestNode({ identity, listen: false }) }
    for (const [name, runner] of [['honest', executorPool], ['cheat', corrupting]] as const) {
      const executorIdentity = await createIdentity()
      const node = await startTestNode({ identity: executorIdentity, listen: true })
      const executor = new TaskExecutor({ identity: executorIdentity, store: createMemoryStore(), runner }, { isContributing: () => true })
      await node.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
      executors[name] = { identity: executorIdentity, node }
    }
  }, 120_000)

  afterAll(async () => {
    await Promise.all([submitter, ...Object.values(executors)].map(async p => { await p?.node.stop() }))
    executorPool.stop()
    witnessPool.stop()
  })

  const run = async (who: 'honest' | 'cheat'): Promise<Receipt> => {
    const connection: Connection = await submitter.node.dial(executors[who].node.getMultiaddrs()[0]!)
    const offer = validateOffer(wireOffer(entropy, '16', {
      taskId: `task-${who}`,
      args: ['--bytes'],
      env: [{ name: 'MODE', value: 'witness' }],
      seed: Uint8Array.from({ length: 32 }, (_, i) => i * 3),
      memoryLimitBytes: 16 * 1024 * 1024,
      fuel: 1_000_000_000n,
      maxTotalPrice: 0n
    }))
    return (await submitTask(connection, submitter.identity.peerId.toString(), offer, entropy)).receipt
  }

  const rerun = async (receipt: Receipt, fuel = receipt.limits.fuel): Promise<ReturnType<typeof observedRun>> => {
    const result = await witnessPool.run(receipt.moduleHash, entropy,
      { args: receipt.args, env: receipt.env, stdin: new TextEncoder().encode('16'), files: [], seed: base64UrlToBytes(receipt.seed) },
      { timeoutMs: receipt.limits.timeoutMs, memoryLimitBytes: receipt.limits.memoryBytes, fuel })
    return observedRun(result)
  }

  it('reproduces an honest executor exactly: output, stderr, files, status and fuel', async () => {
    const receipt = await run('honest')
    expect(receipt.fuelUsed).toBeGreaterThan(0)
    expect(verdictOf(receipt, await rerun(receipt))).toBe('agree')
  })

  it('reproduces it on exactly the fuel the receipt claims, so a witness need never spend more; one unit less runs out', async () => {
    const receipt = await run('honest')
    const claimed = receipt.fuelUsed!
    expect(verdictOf(receipt, await rerun(receipt, claimed))).toBe('agree')
    const short = await rerun(receipt, claimed - 1)
    expect(short.status).toBe('out-of-fuel')
    expect(verdictOf(receipt, short)).toBe('disagree')
  })

  it('disagrees with a validly signed receipt over a wrong output, and names the field', async () => {
    const receipt = await run('cheat')
    const observed = await rerun(receipt)
    expect(verdictOf(receipt, observed)).toBe('disagree')
    expect(differences(receipt, observed)).toEqual(['outputHash'])
  })
})
