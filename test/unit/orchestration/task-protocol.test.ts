/**
 * Both halves of /zerostate/task/1.0.0 between two real libp2p nodes in Node
 * (websockets on loopback, noise, yamux), with the real WASI runner; and the
 * executor's memory of what each module used, which it quotes budgets from.
 */
import type { Libp2p } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { FREE_PRICES, MAX_UNIT_PRICE, chargeFor } from '../../../src/receipts/pricing/index.ts'
import type { PriceSchedule } from '../../../src/receipts/pricing/index.ts'
import { filesHash } from '../../../src/receipts/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import { copiesFiles } from '../../fixtures/wat-modules.ts'
import { rejection } from '../../support/rejection.ts'
import { TASK_PROTOCOL } from '../../../src/orchestration/task-protocol/index.ts'
import { TaskExecutor, submitTask, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { SubmitProgress, ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { ExecutorMessage, TaskOffer } from '../../../src/orchestration/task-protocol/pb/task.ts'
import { UsageMemory } from '../../../src/orchestration/task-protocol/usage-memory.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { signedReceiptFor } from '../../support/task-wire.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

// The real sandbox: metered modules in worker threads, as an executor runs them.
const nodeRunner = createNodeWorkerPool({ slots: 1 })

function offerFor (module: Uint8Array<ArrayBuffer>, stdin: string, overrides: Partial<TaskOffer> = {}): ValidOffer {
  return validateOffer(wireOffer(module, stdin, overrides))
}

describe('task protocol between two libp2p nodes', () => {
  let executorIdentity: PeerIdentity
  let submitterIdentity: PeerIdentity
  let executorNode: Libp2p
  let submitterNode: Libp2p
  let contributing = true
  let prices: PriceSchedule = FREE_PRICES
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
      { isContributing: () => contributing, prices: () => prices }
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

  describe('prices and budgets', () => {
    /** What the receipt's own figures cost at its own prices, capped at its budget (docs/receipt-format.md §3). */
    const chargeOf = ({ price: { perMegaFuel, perSecond, perMb, maxTotalPrice }, fuelUsed, durationMs, memoryPeakBytes }: Receipt): number =>
      chargeFor({ perMegaFuel, perSecond, perMb }, { fuel: fuelUsed, durationMs, memoryBytes: memoryPeakBytes }, maxTotalPrice)

    /** An executor of its own, so that it has no usage record yet; counts the times it looks for a module. */
    async function pricedExecutor (schedule: PriceSchedule): Promise<{ node: Libp2p, moduleLookups: () => number }> {
      const identity = await createIdentity()
      const node = await startTestNode({ identity, listen: true })
      const own = createMemoryStore()
      let lookups = 0
      const counting = {
        getModule: async (hash: string) => { lookups++; return own.getModule(hash) },
        putModule: async (hash: string, bytes: Uint8Array) => own.putModule(hash, bytes)
      }
      const executor = new TaskExecutor({ identity, store: counting, runner: nodeRunner }, { isContributing: () => true, prices: () => schedule })
      await node.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
      return { node, moduleLookups: () => lookups }
    }

    it('the receipt carries the executor\'s prices at acceptance, the offer\'s budget, and the charge they give', async () => {
      prices = { perMegaFuel: 100, perSecond: 50, perMb: 10 }
      try {
        const outcome = await submitTask(await connect(), submitterId(), offerFor(sha256Module, 'priced', { maxTotalPrice: 250_000n }), sha256Module)
        const { price } = outcome.receipt
        expect(price).toMatchObject({ perMegaFuel: 100, perSecond: 50, perMb: 10, maxTotalPrice: 250_000 })
        expect(price.charge).toBe(chargeOf(outcome.receipt))
        // Linear memory is at least one 64 KiB page, and perMb is not 0: the run is not free.
        expect(price.charge).toBeGreaterThan(0)
        expect(price.charge).toBeLessThan(250_000)
      } finally {
        prices = FREE_PRICES
      }
    })

    it('a free executor accepts a budget of 0 and charges nothing', async () => {
      const outcome = await submitTask(await connect(), submitterId(), offerFor(sha256Module, 'free', { maxTotalPrice: 0n }), sha256Module)
      expect(outcome.receipt.price).toEqual({ ...FREE_PRICES, maxTotalPrice: 0, charge: 0 })
    })

    it('with no usage record accepts, charging no more than the budget; then refuses the same module by its estimate, before asking for it', async () => {
      const { node, moduleLookups } = await pricedExecutor({ perMegaFuel: MAX_UNIT_PRICE, perSecond: MAX_UNIT_PRICE, perMb: MAX_UNIT_PRICE })
      try {
        const dial = async (): Promise<import('@libp2p/interface').Connection> => submitterNode.dial(node.getMultiaddrs()[0]!)
        const first = await submitTask(await dial(), submitterId(), offerFor(sha256Module, 'abc', { maxTotalPrice: 1000n }), sha256Module)
        expect(first.receipt.price).toMatchObject({ maxTotalPrice: 1000, charge: 1000 })
        expect(first.receipt.price.charge).toBe(chargeOf(first.receipt))
        expect(moduleLookups()).toBe(1)

        const phases: string[] = []
        const refused = await rejection(submitTask(await dial(), submitterId(), offerFor(sha256Module, 'abc', { maxTotalPrice: 1000n }), sha256Module, {
          onProgress: (p: SubmitProgress) => { phases.push(p.phase) }
        }))
        expect(refused.name).toBe('TaskOverBudgetError')
        expect(phases).toEqual(['offering'])
        expect(moduleLookups()).toBe(1)
      } finally {
        await node.stop()
      }
    })

    it('rejects an authentic receipt that names another budget than the offer\'s', async () => {
      const identity = await createIdentity()
      const node = await startTestNode({ identity, listen: true })
      // Answers at once with an empty output and a receipt whose budget is one more than offered.
      await node.handle(TASK_PROTOCOL, async (stream, connection) => {
        const messages = pbStream(stream)
        const offer = validateOffer(await messages.read(TaskOffer))
        const empty = new Uint8Array(0)
        const receipt = await signedReceiptFor(identity, offer, connection.remotePeer.toString(), { price: { maxTotalPrice: offer.maxTotalPrice + 1 } })
        await messages.write({ type: ExecutorMessage.Type.RESULT, stdout: empty, stderr: empty, files: [], receipt: JSON.stringify(receipt) }, ExecutorMessage)
        await stream.close()
      })
      try {
        const connection = await submitterNode.dial(node.getMultiaddrs()[0]!)
        const err = await rejection(submitTask(connection, submitterId(), offerFor(sha256Module, 'x'), sha256Module))
        expect(err.name).toBe('ReceiptBudgetMismatchError')
        expect(err.receipt).toMatchObject({ price: { maxTotalPrice: 1_000_001 } })
      } finally {
        await node.stop()
      }
    })
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

describe('UsageMemory', () => {
  const use = (durationMs: number): { fuel: number, durationMs: number, memoryBytes: number } => ({ fuel: 1, durationMs, memoryBytes: 65536 })

  it('recalls the last run of each module, and forgets the least recently used past its capacity', () => {
    const memory = new UsageMemory(2)
    expect(memory.recall('a')).toBeUndefined()
    memory.remember('a', use(1))
    memory.remember('b', use(2))
    memory.remember('a', use(3))
    expect(memory.recall('a')).toEqual(use(3))
    // 'b' is now the least recently used.
    memory.remember('c', use(4))
    expect(memory.size).toBe(2)
    expect(memory.recall('b')).toBeUndefined()
    expect(memory.recall('a')).toEqual(use(3))
    // Recalling 'a' made 'c' the least recently used.
    memory.remember('d', use(5))
    expect(memory.recall('c')).toBeUndefined()
    expect(memory.recall('a')).toEqual(use(3))
  })

  it('keeps its own copy', () => {
    const memory = new UsageMemory(1)
    const record = use(1)
    memory.remember('a', record)
    record.durationMs = 99
    expect(memory.recall('a')).toEqual(use(1))
  })

  it('refuses a capacity that is not a positive integer', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) expect(() => new UsageMemory(capacity)).toThrow(RangeError)
  })
})
