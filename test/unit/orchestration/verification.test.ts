/**
 * The submitter's own checks (orchestration/dispatch/verification.ts) between
 * real libp2p nodes in Node (websockets on loopback, noise, yamux) and the
 * real sandbox: two honest executors and a cheater whose sandbox output is
 * corrupted before it signs (its receipt verifies; its result is wrong). The
 * payments and the blacklisting are recorded rather than made: what is
 * checked here is which receipts the check pays, withholds and proves wrong.
 */
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import type { TaskRunner } from '../../../src/execution/types.ts'
import { TaskVerification } from '../../../src/orchestration/dispatch/index.ts'
import type { CheckKeeps, TaskDispatch } from '../../../src/orchestration/dispatch/index.ts'
import { TASK_PROTOCOL, TaskExecutor, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { ReputationBook } from '../../../src/trust/reputation/index.ts'
import { DEFAULT_MIN_CHECKER_CONFIRMED, VerificationService } from '../../../src/trust/verification/index.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'
import { testDispatch } from '../../support/test-dispatch.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const started: Array<{ stop(): Promise<void> | void }> = []
const utf8 = new TextEncoder()
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

let echo: Uint8Array<ArrayBuffer>
let submitter: PeerIdentity
let dispatch: TaskDispatch
let ownRunner: TaskRunner
const peers: Record<'honest' | 'checker' | 'cheater', string> = { honest: '', checker: '', cheater: '' }

/** An executor node; `corrupt` replaces its sandbox's output before it signs. */
async function executorNode (runner: TaskRunner, corrupt: boolean): Promise<{ node: Libp2p, peerId: string }> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: true })
  started.push(node)
  const cheating: TaskRunner = { run: async (...args) => ({ ...await runner.run(...args), stdout: utf8.encode('forged output') as Uint8Array<ArrayBuffer> }) }
  const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner: corrupt ? cheating : runner }, { isContributing: () => true })
  await node.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
  return { node, peerId: identity.peerId.toString() }
}

beforeAll(async () => {
  await ensureSamplesBuilt()
  echo = await sampleBytes('echo')
  const pool = createNodeWorkerPool({ slots: 2 })
  started.push(pool)
  ownRunner = pool
  const honest = await executorNode(pool, false)
  const checker = await executorNode(pool, false)
  const cheater = await executorNode(pool, true)
  peers.honest = honest.peerId
  peers.checker = checker.peerId
  peers.cheater = cheater.peerId
  submitter = await createIdentity()
  const node = await startTestNode({ identity: submitter, listen: false })
  started.push(node)
  const connections = new Map<string, Awaited<ReturnType<Libp2p['dial']>>>()
  for (const { node: n, peerId } of [honest, checker, cheater]) connections.set(peerId, await node.dial(n.getMultiaddrs()[0]!))
  dispatch = testDispatch(submitter, [honest.peerId, checker.peerId, cheater.peerId], async peerId => connections.get(peerId)!)
}, COMPILE_TIMEOUT_MS)

afterAll(async () => {
  for (const thing of started.splice(0).reverse()) await thing.stop()
})

/** A submitter's verification over the shared nodes, with its own book, recorded payments and proofs, and a fixed draw. */
async function verifier (draw = 0.5, runner: TaskRunner = ownRunner): Promise<{ verification: TaskVerification, book: VerificationService, paid: Receipt[], wrong: Receipt[], owed: Receipt[], kept: Array<[string, CheckKeeps]>, events: string[], reputation: ReputationBook }> {
  const book = new VerificationService({ store: createMemoryStore() })
  await book.start()
  started.push(book)
  const paid: Receipt[] = []
  const wrong: Receipt[] = []
  const owed: Receipt[] = []
  // What the check kept of which receipt (executor's task id or the checker's), in order.
  const kept: Array<[string, CheckKeeps]> = []
  // Keeping and paying, in the order they happen.
  const events: string[] = []
  const reputation = new ReputationBook({ now: Date.now })
  const verification = new TaskVerification({
    identity: submitter,
    mesh: { executors: () => Object.values(peers) },
    dispatch,
    reputation: { book: reputation } as never,
    verification: book,
    accountability: {
      pay: async receipt => {
        paid.push(receipt)
        events.push(`pay ${receipt.taskId}`)
      },
      provenWrong: async receipt => {
        reputation.record(receipt.executor, 'wrong-result', { proven: true })
        wrong.push(receipt)
      }
    },
    runner,
    keep: async (receipt, why) => {
      // A store's write takes a while: the payment must still come after it.
      await new Promise(resolve => setTimeout(resolve, 20))
      kept.push([receipt.taskId, why])
      if (why === 'checker') owed.push(receipt)
      events.push(`keep ${why} ${receipt.taskId}`)
    }
  }, { random: () => draw })
  return { verification, book, paid, wrong, owed, kept, events, reputation }
}

async function runOn (executor: string, stdin: string): Promise<{ outcome: Awaited<ReturnType<TaskDispatch['runOnce']>>['outcome'], offer: ReturnType<typeof validateOffer> }> {
  const offer = validateOffer(wireOffer(echo, stdin))
  return dispatch.runOnce(offer, echo, { moduleHash: sha256Hex(echo) }, { executor })
}

describe('the submitter\'s own checks', () => {
  it('checks a new executor\'s task in its own sandbox when it trusts nobody yet, pays once it agrees, and counts the check', async () => {
    const { verification, book, paid, kept, events } = await verifier(0.999)
    const { outcome, offer } = await runOn(peers.honest, 'hello')
    const verified = await verification.verify(outcome, offer, echo, { moduleHash: offer.moduleHash })
    expect(verified).toMatchObject({ checker: 'self', settled: true, decision: { check: true, holdPayment: true, reason: 'newcomer' } })
    expect(text(verified.outcome.stdout)).toBe('hello')
    await verified.payments
    expect(paid).toEqual([outcome.receipt])
    // The held receipt was kept as owed before its check, and paid after.
    expect(kept).toEqual([[offer.taskId, 'held']])
    expect(events).toEqual([`keep held ${offer.taskId}`, `pay ${offer.taskId}`])
    expect(book.book.record(peers.honest)).toMatchObject({ confirmed: 1, contradicted: 0 })
  }, 60_000)

  it('catches a cheater with its own re-run: the cheater is proven wrong, never paid, and the result is refused', async () => {
    const { verification, book, paid, wrong, kept, reputation } = await verifier()
    const { outcome, offer } = await runOn(peers.cheater, 'hello')
    expect(text(outcome.stdout)).toBe('forged output')
    const err = await rejection(verification.verify(outcome, offer, echo, { moduleHash: offer.moduleHash }))
    expect(err.name).toBe('ResultContradictedError')
    expect(err.receipt).toEqual(outcome.receipt)
    expect(paid).toEqual([])
    // Owed while its check ran, withheld once it was shown wrong: a later start never pays it.
    expect(kept).toEqual([[offer.taskId, 'held'], [offer.taskId, 'shown-wrong']])
    expect(wrong).toEqual([outcome.receipt])
    expect(reputation.isBlacklisted(peers.cheater)).toBe(true)
    expect(book.book.record(peers.cheater)).toMatchObject({ confirmed: 0, contradicted: 1 })
  }, 60_000)

  it('has a trusted peer re-run it, never the executor: a disagreement is settled by its own re-run and the checker\'s right result is kept', async () => {
    const { verification, book, paid, wrong, owed, kept } = await verifier()
    for (let i = 0; i < DEFAULT_MIN_CHECKER_CONFIRMED; i++) book.confirm(peers.checker)
    const { outcome, offer } = await runOn(peers.cheater, 'the right answer')
    const verified = await verification.verify(outcome, offer, echo, { moduleHash: offer.moduleHash })
    expect(verified.checker).toBe(peers.checker)
    expect(text(verified.outcome.stdout)).toBe('the right answer')
    expect(verified.outcome.receipt.executor).toBe(peers.checker)
    expect(verified.outcome.receipt.taskId).toBe(`${offer.taskId}-check`)
    await verified.payments
    // Only the checker is paid; the cheater's held payment is never made.
    expect(paid.map(r => r.executor)).toEqual([peers.checker])
    // The checker's receipt is the result kept: its caller keeps it as owed, not the check.
    expect(owed).toEqual([])
    expect(kept).toEqual([[offer.taskId, 'held'], [offer.taskId, 'shown-wrong']])
    expect(wrong).toEqual([outcome.receipt])
    expect(book.book.record(peers.cheater).contradicted).toBe(1)
  }, 60_000)

  it('pays the executor and the checker when they agree, and trusts the executor more', async () => {
    const { verification, book, paid, owed, events } = await verifier()
    for (let i = 0; i < DEFAULT_MIN_CHECKER_CONFIRMED; i++) book.confirm(peers.checker)
    const { outcome, offer } = await runOn(peers.honest, 'agreed')
    const verified = await verification.verify(outcome, offer, echo, { moduleHash: offer.moduleHash })
    expect(verified.checker).toBe(peers.checker)
    expect(verified.outcome).toBe(outcome)
    await verified.payments
    expect(paid.map(r => r.executor).sort()).toEqual([peers.honest, peers.checker].sort())
    // The caller keeps the executor's receipt; the checker's, which the check pays too, is kept as owed by the
    // check before it is paid, so a tab closed in between pays it at its next start.
    const checkers = paid.find(r => r.executor === peers.checker)!
    expect(owed).toEqual([checkers])
    expect(events.indexOf(`keep checker ${checkers.taskId}`)).toBeLessThan(events.indexOf(`pay ${checkers.taskId}`))
    expect(events.indexOf(`keep checker ${checkers.taskId}`)).toBeGreaterThanOrEqual(0)
    // The executor, new, was held: owed before its check, paid after it agreed.
    expect(events.indexOf(`keep held ${offer.taskId}`)).toBe(0)
    expect(events.indexOf(`pay ${offer.taskId}`)).toBeGreaterThan(0)
    expect(book.book.record(peers.honest).confirmed).toBe(1)
  }, 60_000)

  it('leaves a held receipt owed, and unpaid, when the submitter gives up during its check: the next start pays it', async () => {
    const { verification, book, paid, kept } = await verifier()
    for (let i = 0; i < DEFAULT_MIN_CHECKER_CONFIRMED; i++) book.confirm(peers.checker)
    const { outcome, offer } = await runOn(peers.honest, 'given up')
    const controller = new AbortController()
    const err = await rejection(verification.verify(outcome, offer, echo, { moduleHash: offer.moduleHash }, {
      signal: controller.signal,
      onCheck: () => { controller.abort() }
    }))
    expect(err.name).toBe('AbortError')
    expect(paid).toEqual([])
    // Owed and never withheld: as for a tab closed during the check, peer/owed-receipts.ts pays it at the next start.
    expect(kept).toEqual([[offer.taskId, 'held']])
    expect(book.book.record(peers.honest)).toMatchObject({ confirmed: 0, contradicted: 0 })
  }, 60_000)

  it('withholds a held payment its check could not confirm: executor and checker disagree and its own re-run fails', async () => {
    const failing: TaskRunner = { run: async () => { throw new Error('this sandbox is out of order') } }
    const { verification, book, paid, kept } = await verifier(0.5, failing)
    for (let i = 0; i < DEFAULT_MIN_CHECKER_CONFIRMED; i++) book.confirm(peers.checker)
    const { outcome, offer } = await runOn(peers.cheater, 'unsettled')
    const err = await rejection(verification.verify(outcome, offer, echo, { moduleHash: offer.moduleHash }))
    expect(err.name).toBe('NoMajorityError')
    expect(paid).toEqual([])
    expect(kept).toEqual([[offer.taskId, 'held'], [offer.taskId, 'unconfirmed']])
  }, 60_000)

  it('does not hold an established executor\'s payment: it is paid at once, and nothing is kept as held', async () => {
    const { verification, book, paid, kept } = await verifier(0)
    for (let i = 0; i < DEFAULT_MIN_CHECKER_CONFIRMED; i++) book.confirm(peers.checker)
    for (let i = 0; i < 20; i++) book.confirm(peers.honest)
    const { outcome, offer } = await runOn(peers.honest, 'established')
    const verified = await verification.verify(outcome, offer, echo, { moduleHash: offer.moduleHash })
    expect(verified.decision).toMatchObject({ check: true, holdPayment: false })
    await verified.payments
    expect(paid.map(r => r.taskId).sort()).toEqual([offer.taskId, `${offer.taskId}-check`].sort())
    expect(kept.map(([taskId, why]) => `${why} ${taskId}`)).toEqual([`checker ${offer.taskId}-check`])
  }, 60_000)

  it('accepts a cheap task from an executor with a long checked record without a check, and leaves its payment to the caller', async () => {
    const { verification, book, paid } = await verifier(0.999)
    for (let i = 0; i < 200; i++) book.confirm(peers.honest)
    const { outcome, offer } = await runOn(peers.honest, 'trusted')
    const verified = await verification.verify(outcome, { ...offer, maxTotalPrice: 1000 }, echo, { moduleHash: offer.moduleHash })
    expect(verified).toMatchObject({ settled: false, decision: { check: false, reason: 'risk' } })
    expect(verified.checker).toBeUndefined()
    await verified.payments
    expect(paid).toEqual([])
  }, 60_000)
})
