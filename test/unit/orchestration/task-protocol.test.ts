/**
 * Both halves of /zerostate/task/1.0.0 between two real libp2p nodes in Node
 * (websockets on loopback, noise, yamux), with the real WASI runner.
 */
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { compileTaskModule } from '../../../src/execution/module-check.ts'
import { runWasiCommand } from '../../../src/execution/wasi-runner.ts'
import { TASK_PROTOCOL } from '../../../src/network/constants.ts'
import { TaskExecutor, submitTask, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { SubmitProgress, TaskRunner, ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { TaskOffer } from '../../../src/orchestration/task-protocol/task.ts'
import { hexToBytes } from '../../../src/core/encoding.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const nodeRunner: TaskRunner = {
  async run (_hash, bytes, input, limits, options) {
    options?.onProgress?.({ phase: 'compiling' })
    const module = await compileTaskModule(bytes, { memoryLimitBytes: limits.memoryLimitBytes })
    options?.onProgress?.({ phase: 'running', startedAt: Date.now() })
    return runWasiCommand(module, input, limits)
  }
}

function offerFor (module: Uint8Array<ArrayBuffer>, stdin: string, overrides: Partial<TaskOffer> = {}): ValidOffer {
  return validateOffer({
    taskId: crypto.randomUUID(),
    moduleHash: hexToBytes(sha256Hex(module)),
    moduleSize: module.byteLength,
    stdin: new TextEncoder().encode(stdin),
    args: [],
    timeoutMs: 10_000,
    memoryLimitBytes: 64 * 1024 * 1024,
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
  })

  const connect = async (): Promise<import('@libp2p/interface').Connection> => submitterNode.dial(executorNode.getMultiaddrs()[0]!)

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

  it('validates offers at the boundary', () => {
    expect(() => offerFor(sha256Module, '', { taskId: 'has spaces' })).toThrow(expect.objectContaining({ name: 'InvalidTaskMessageError' }))
    expect(() => validateOffer({ taskId: 't', moduleHash: new Uint8Array(), moduleSize: 1, stdin: new Uint8Array(), args: [], timeoutMs: 1000, memoryLimitBytes: 1 << 20 }))
      .toThrow(/module hash is missing/)
    expect(() => validateOffer({ taskId: 't', moduleHash: new Uint8Array(32), moduleSize: 1, stdin: new Uint8Array(5 * 1024 * 1024), args: [], timeoutMs: 1000, memoryLimitBytes: 1 << 20 }))
      .toThrow(/stdin/)
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
