/**
 * Both halves of /zerostate/task/1.0.0 between two real libp2p nodes in Node
 * (websockets on loopback, noise, yamux), with the real WASI runner.
 */
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { filesHash } from '../../../src/trust/index.ts'
import { copiesFiles } from '../../fixtures/wat-modules.ts'
import { rejection } from '../../support/rejection.ts'
import { TASK_PROTOCOL } from '../../../src/network/constants.ts'
import { TaskExecutor, submitTask, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { SubmitProgress, ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { TaskOffer } from '../../../src/orchestration/task-protocol/task.ts'
import { hexToBytes } from '../../../src/core/encoding.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

// The real sandbox: metered modules in worker threads, as an executor runs them.
const nodeRunner = createNodeWorkerPool({ slots: 1 })

function offerFor (module: Uint8Array<ArrayBuffer>, stdin: string, overrides: Partial<TaskOffer> = {}): ValidOffer {
  return validateOffer({
    taskId: crypto.randomUUID(),
    moduleHash: hexToBytes(sha256Hex(module)),
    moduleSize: module.byteLength,
    stdin: new TextEncoder().encode(stdin),
    args: [],
    env: [],
    files: [],
    seed: new Uint8Array(32).fill(7),
    timeoutMs: 10_000,
    memoryLimitBytes: 64 * 1024 * 1024,
    fuel: 10_000_000_000n,
    ...overrides
  })
}

describe('task protocol between two libp2p nodes', () => {
  let executorIdentity: PeerIdentity
  let submitterIdentity: PeerIdentity
  let executorNode: Libp2p
  let submitterNode: Libp2p
  let contributing = true
  let sha256Module: Uint8Array<ArrayBuffer>
  const store = createMemoryStore()

  beforeAll(async () => {
    await ensureSamplesBuilt()
    sha256Module = new Uint8Array(await sampleBytes('sha256'))
    executorIdentity = await createIdentity()
    submitterIdentity = await createIdentity()
    executorNode = await startTestNode({ identity: executorIdentity, listen: true })
    submitterNode = await startTestNode({ identity: submitterIdentity, listen: false })
    const executor = new TaskExecutor(
      { identity: executorIdentity, store, runner: nodeRunner },
      { isContributing: () => contributing }
    )
    await executorNode.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
  })

  afterAll(async () => {
    await submitterNode?.stop()
    await executorNode?.stop()
    nodeRunner.stop()
  })

  const connect = async (): Promise<import('@libp2p/interface').Connection> => submitterNode.dial(executorNode.getMultiaddrs()[0]!)
  const submitterId = (): string => submitterIdentity.peerId.toString()

  it('sends the module once, runs it, and returns a verified receipt', async () => {
    const phases: string[] = []
    const connection = await connect()
    const offer = offerFor(sha256Module, 'abc')
    const outcome = await submitTask(connection, submitterIdentity.peerId.toString(), offer, sha256Module, {
      onProgress: (p: SubmitProgress) => { phases.push(p.phase) }
    })
    expect(new TextDecoder().decode(outcome.stdout).trim()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(outcome.receipt.executor).toBe(executorIdentity.peerId.toString())
    expect(outcome.receipt.submitter).toBe(submitterIdentity.peerId.toString())
    expect(phases).toContain('sending-module')
    expect(phases.at(-1)).toBe('verifying')

    const again: string[] = []
    await submitTask(connection, submitterIdentity.peerId.toString(), offerFor(sha256Module, 'again'), sha256Module, {
      onProgress: (p: SubmitProgress) => { again.push(p.phase) }
    })
    expect(again).not.toContain('sending-module')
  })

  it('reports the executor\'s error by name for a module that is not WASM', async () => {
    const junk = new TextEncoder().encode('not wasm at all') as Uint8Array<ArrayBuffer>
    const connection = await connect()
    await expect(submitTask(connection, submitterIdentity.peerId.toString(), offerFor(junk, ''), junk))
      .rejects.toMatchObject({ name: 'InvalidModuleError' })
  })

  it('refuses when the executor is not contributing', async () => {
    contributing = false
    try {
      const connection = await connect()
      await expect(submitTask(connection, submitterIdentity.peerId.toString(), offerFor(sha256Module, ''), sha256Module))
        .rejects.toMatchObject({ name: 'TaskRefusedError' })
    } finally {
      contributing = true
    }
  })

  it('rejects a module whose bytes do not match the offered hash', async () => {
    const connection = await connect()
    const other = sha256Module.slice()
    other[0] = 0xff
    const offer = offerFor(other, '')
    await expect(submitTask(connection, submitterIdentity.peerId.toString(), offer, sha256Module))
      .rejects.toMatchObject({ name: 'ModuleHashMismatchError' })
  })

  it('a task that fails still returns a verified receipt naming how it ended', async () => {
    const forever = await sampleBytes('forever')
    const outOfFuel = await rejection(submitTask(await connect(), submitterId(), offerFor(forever, '', { fuel: 5_000_000n }), forever))
    expect(outOfFuel.name).toBe('OutOfFuelError')
    expect(outOfFuel.receipt).toMatchObject({ status: 'out-of-fuel', fuelUsed: 5_000_000, exitCode: null })

    const timedOut = await rejection(submitTask(await connect(), submitterId(), offerFor(forever, '', { timeoutMs: 300 }), forever))
    expect(timedOut.name).toBe('TaskTimeoutError')
    expect(timedOut.receipt).toMatchObject({ status: 'timeout', fuelUsed: null, exitCode: null })

    const junk = new TextEncoder().encode('not wasm at all') as Uint8Array<ArrayBuffer>
    const invalid = await rejection(submitTask(await connect(), submitterId(), offerFor(junk, ''), junk))
    expect(invalid.name).toBe('InvalidModuleError')
    expect(invalid.receipt).toMatchObject({ status: 'invalid-module', fuelUsed: 0 })

    const exits = await sampleBytes('primes')
    const outcome = await submitTask(await connect(), submitterId(), offerFor(exits, 'not a number'), exits)
    expect(outcome.receipt).toMatchObject({ status: 'exit', exitCode: 2 })
  })

  it('carries input files in and changed files out, covered by the receipt', async () => {
    const module = copiesFiles()
    const offer = offerFor(module, '', {
      files: [
        { path: 'in.txt', data: new TextEncoder().encode('hello files') },
        { path: 'nested/a.txt', data: new TextEncoder().encode('original') }
      ]
    })
    const outcome = await submitTask(await connect(), submitterId(), offer, module)
    const files = Object.fromEntries(outcome.files.map(([path, data]) => [path, new TextDecoder().decode(data)]))
    expect(files).toEqual({ 'nested/a.txt': 'changed', 'out/copy.txt': 'hello files' })
    expect(outcome.receipt.outputFilesHash).toBe(filesHash(outcome.files))
  })

  it('gives the same output and fuel for the same task on two different executors', async () => {
    const other = await createIdentity()
    const otherNode = await startTestNode({ identity: other, listen: true })
    const otherExecutor = new TaskExecutor({ identity: other, store: createMemoryStore(), runner: nodeRunner }, { isContributing: () => true })
    await otherNode.handle(TASK_PROTOCOL, async (stream, connection) => otherExecutor.handle(stream, connection))
    try {
      const entropy = await sampleBytes('entropy')
      const seed = new Uint8Array(32).fill(42)
      const offer = offerFor(entropy, '', { seed, taskId: 'same-task' })
      const first = await submitTask(await connect(), submitterId(), offer, entropy)
      const second = await submitTask(await submitterNode.dial(otherNode.getMultiaddrs()[0]!), submitterId(), offer, entropy)
      expect(second.receipt.executor).not.toBe(first.receipt.executor)
      expect(new TextDecoder().decode(second.stdout)).toBe(new TextDecoder().decode(first.stdout))
      expect(second.receipt.outputHash).toBe(first.receipt.outputHash)
      expect(second.receipt.fuelUsed).toBe(first.receipt.fuelUsed)
      const reseeded = await submitTask(await connect(), submitterId(), offerFor(entropy, '', { seed: new Uint8Array(32).fill(43) }), entropy)
      expect(reseeded.receipt.outputHash).not.toBe(first.receipt.outputHash)
    } finally {
      await otherNode.stop()
    }
  })

  describe('an executor whose receipts do not verify', () => {
    async function lyingExecutor (sign: PeerIdentity['sign']): Promise<{ node: Libp2p, identity: PeerIdentity }> {
      const honest = await createIdentity()
      const identity: PeerIdentity = { ...honest, sign }
      const node = await startTestNode({ identity, listen: true })
      const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner: nodeRunner }, { isContributing: () => true })
      await node.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
      return { node, identity }
    }

    it('is rejected when the signature is garbage', async () => {
      const { node } = await lyingExecutor(async () => new Uint8Array(64).fill(7))
      try {
        const connection = await submitterNode.dial(node.getMultiaddrs()[0]!)
        await expect(submitTask(connection, submitterIdentity.peerId.toString(), offerFor(sha256Module, 'x'), sha256Module))
          .rejects.toMatchObject({ name: 'ReceiptSignatureError' })
      } finally {
        await node.stop()
      }
    })

    it('is rejected when signed by a key that is not the executor\'s', async () => {
      const stranger = await createIdentity()
      const { node } = await lyingExecutor(async (message) => stranger.sign(message))
      try {
        const connection = await submitterNode.dial(node.getMultiaddrs()[0]!)
        await expect(submitTask(connection, submitterIdentity.peerId.toString(), offerFor(sha256Module, 'x'), sha256Module))
          .rejects.toMatchObject({ name: 'ReceiptSignatureError' })
      } finally {
        await node.stop()
      }
    })
  })
})
