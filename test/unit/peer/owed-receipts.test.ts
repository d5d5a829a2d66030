/**
 * Receipts kept as owed and left unpaid by a peer that stopped (a tab
 * closed behind a result) are paid at the peer's next start on the same
 * store, exactly once, between real libp2p nodes (websockets on loopback,
 * noise, yamux): the executor is paid once, both sides' ledgers agree, and
 * what was not owed is never paid.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { Connection, Libp2p } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { peerIdFromString } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { noopLogger } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { receiptsPaidBy } from '../../../src/economy/channel/index.ts'
import { PAYMENT_PROTOCOL, PaymentChannels, paymentsOf } from '../../../src/economy/payments/index.ts'
import { TaskVerification } from '../../../src/orchestration/dispatch/index.ts'
import { RemoteTaskError } from '../../../src/orchestration/task-protocol/index.ts'
import type { TaskOutcome, ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { PeerContext } from '../../../src/peer/context.ts'
import { checkRecords } from '../../../src/peer/check-records.ts'
import { OwedReceipts } from '../../../src/peer/owed-receipts.ts'
import { Settlements } from '../../../src/peer/settlements.ts'
import { submitTask } from '../../../src/peer/submit.ts'
import type { ZeroStateRecords, ZeroStateStore } from '../../../src/peer/store.ts'
import { receiptHash, signReceipt } from '../../../src/receipts/index.ts'
import type { Receipt, ReceiptRecord } from '../../../src/receipts/index.ts'
import type { Attestation } from '../../../src/receipts/attestation/index.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import { ReputationBook } from '../../../src/trust/reputation/index.ts'
import { DEFAULT_MIN_CHECKER_CONFIRMED, VerificationService } from '../../../src/trust/verification/index.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'
import { exampleUnsigned } from '../receipts/fixtures.ts'

const DEPOSIT = 1_000_000
const CHARGE = 1_000
/** Long enough that a payment asked for is still waiting when its peer stops: the tab closed in the batch window. */
const NEVER_MS = 600_000
const id = (p: PeerIdentity): string => p.peerId.toString()
const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>

/** One run of the submitting peer on its store: a node, its channels and the sweep of what an earlier run owed. */
interface Session {
  node: Libp2p
  channels: PaymentChannels
  owed: OwedReceipts
  notices: string[]
  /** What the sweep logged (a payment that failed). */
  warnings: string[]
  stop(): Promise<void>
}

let taskCounter = 0

describe('receipts owed from an earlier session', () => {
  let executor: { identity: PeerIdentity, node: Libp2p, store: ZeroStateStore, channels: PaymentChannels }
  /** When set, the executor's handler runs this instead of answering (to play a payee whose answer is lost). */
  let executorMisbehaves: ((stream: Parameters<PaymentChannels['handle']>[0], connection: Connection) => Promise<void>) | undefined
  const sessions: Session[] = []

  beforeAll(async () => {
    const identity = await createIdentity()
    // Every session dials from 127.0.0.1 within a second or so: above libp2p's default of 5 inbound connections per host and second.
    const node = await createLibp2p({
      privateKey: identity.privateKey,
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { inboundConnectionThreshold: 1_000 }
    })
    const store = createMemoryStore<ZeroStateRecords>()
    const channels = new PaymentChannels({ identity, store, connectionTo: async () => { throw new Error('the executor pays nobody here') } }, { chargeOf: () => CHARGE })
    executor = { identity, node, store, channels }
    await node.handle(PAYMENT_PROTOCOL, async (stream, connection) => {
      if (executorMisbehaves !== undefined) return executorMisbehaves(stream, connection)
      return channels.handle(stream, connection)
    }, { runOnLimitedConnection: true })
  })

  afterAll(async () => {
    for (const session of sessions) await session.stop().catch(() => {})
    await executor?.node.stop()
  })

  /** Starts the submitter `identity` on `store`, as a tab's reload or a Node peer's start does (the sweep not started yet). */
  const session = async (identity: PeerIdentity, store: ZeroStateStore, batchWindowMs = 0): Promise<Session> => {
    const node = await startTestNode({ identity, listen: false })
    const channels = new PaymentChannels(
      { identity, store, connectionTo: async () => node.dial(executor.node.getMultiaddrs()[0]!) },
      { chargeOf: () => CHARGE, deposit: DEPOSIT, batchWindowMs }
    )
    const notices: string[] = []
    const warnings: string[] = []
    const owed = new OwedReceipts({
      self: id(identity),
      store,
      channels,
      events: node,
      connected: peer => node.getConnections(peerIdFromString(peer)).length > 0,
      logger: { debug: () => {}, warn: (message, err) => { warnings.push(`${message}: ${String(err)}`) }, error: () => {} }
    }, { onNotice: message => { notices.push(message) } })
    let stopped = false
    const started: Session = {
      node,
      channels,
      owed,
      notices,
      warnings,
      stop: async () => {
        if (stopped) return
        stopped = true
        await owed.stop()
        channels.stop()
        await node.stop()
      }
    }
    sessions.push(started)
    return started
  }

  const receipt = async (submitter: PeerIdentity): Promise<Receipt> =>
    signReceipt({ ...exampleUnsigned(executor.identity, submitter), taskId: `task_${++taskCounter}` }, executor.identity)
  /** The record submit.ts keeps for a task's receipt, before its payment is made. */
  const kept = (r: Receipt, payment: ReceiptRecord['payment'] | 'none' = 'owed'): ReceiptRecord =>
    ({ receipt: r, role: 'submitter', label: 'echo', stdoutPreview: '', storedAt: Date.now(), ...(payment === 'none' ? {} : { payment }) })

  /** How many co-signed states on `store`'s channels pay for `r` (as payee: 'in'). */
  const paymentsFor = async (store: ZeroStateStore, r: Receipt, direction: 'in' | 'out'): Promise<number> =>
    (await store.listPayments()).filter(p => p.direction === direction && receiptsPaidBy(p.state.state).some(ref => ref.receiptHash === receiptHash(r))).length
  /** The channel between `submitter` and the executor as each side holds it, and what their payments sum to. */
  const ledgers = async (submitter: PeerIdentity, store: ZeroStateStore) => {
    const mine = (await store.listChannels()).filter(c => c.peer === id(executor.identity))
    const theirs = (await executor.store.listChannels()).filter(c => c.peer === id(submitter))
    const ids = new Set(mine.map(c => c.channelId))
    const paidOut = (await store.listPayments()).flatMap(paymentsOf).filter(p => ids.has(p.channelId) && p.direction === 'out').reduce((sum, p) => sum + p.amount, 0)
    const paidIn = (await executor.store.listPayments()).flatMap(paymentsOf).filter(p => ids.has(p.channelId) && p.direction === 'in').reduce((sum, p) => sum + p.amount, 0)
    return { mine, theirs, paidOut, paidIn, moved: mine.reduce((sum, c) => sum + c.latest.state.balanceB, 0) }
  }
  const recordOf = async (store: ZeroStateStore, r: Receipt): Promise<ReceiptRecord | undefined> =>
    (await store.listReceipts()).find(record => record.receipt.taskId === r.taskId && record.role === 'submitter')

  /** A first session that keeps `r` as owed, asks for its payment and stops within the batch window: kept, never paid. */
  const closedInTheBatchWindow = async (submitter: PeerIdentity, store: ZeroStateStore, ...rs: Receipt[]): Promise<void> => {
    const first = await session(submitter, store, NEVER_MS)
    for (const r of rs) {
      await store.addReceipt(kept(r))
      first.channels.pay(r).catch(() => {})
    }
    await first.stop()
    for (const r of rs) expect(await paymentsFor(executor.store, r, 'in')).toBe(0)
  }

  it('pays a receipt kept but left unpaid at the next start, once its executor connects; a start after that pays nothing more', async () => {
    const submitter = await createIdentity()
    const store = createMemoryStore<ZeroStateRecords>()
    const [r1, r2] = [await receipt(submitter), await receipt(submitter)]
    await closedInTheBatchWindow(submitter, store, r1!, r2!)

    const second = await session(submitter, store)
    await second.owed.start()
    // Not connected to the executor yet: it waits for the next contact.
    expect(second.owed.size).toBe(2)
    await second.node.dial(executor.node.getMultiaddrs()[0]!)
    await vi.waitFor(() => { expect(second.owed.size).toBe(0) }, { timeout: 10_000 })
    await second.owed.settled()
    for (const r of [r1!, r2!]) {
      expect(await paymentsFor(executor.store, r, 'in')).toBe(1)
      expect(await paymentsFor(store, r, 'out')).toBe(1)
      expect((await recordOf(store, r))?.payment).toBe('paid')
    }
    expect(second.notices).toEqual([expect.stringMatching(/^paid 2 receipts owed from an earlier session/)])
    const ledger = await ledgers(submitter, store)
    expect(ledger.mine.map(c => c.latest)).toEqual(ledger.theirs.map(c => c.latest))
    expect(ledger.paidOut).toBe(2 * CHARGE)
    expect(ledger.paidIn).toBe(2 * CHARGE)
    expect(ledger.moved).toBe(2 * CHARGE)
    await second.stop()

    const third = await session(submitter, store)
    await third.node.dial(executor.node.getMultiaddrs()[0]!)
    await third.owed.start()
    await third.owed.settled()
    expect(third.owed.size).toBe(0)
    expect(third.notices).toEqual([])
    expect((await ledgers(submitter, store)).paidIn).toBe(2 * CHARGE)
    await third.stop()
  })

  it('a sweep interrupted after the payee co-signed (the peer stopped before keeping the answer) resumes at the next start without paying twice', async () => {
    const submitter = await createIdentity()
    const store = createMemoryStore<ZeroStateRecords>()
    const r = await receipt(submitter)
    await closedInTheBatchWindow(submitter, store, r)

    // The peer is gone between the payee's co-signed answer and its own write of it (step 3 of the order of writes).
    let crashed = false
    const crashing: ZeroStateStore = {
      ...store,
      saveChannel: async (channel, payment) => {
        if (crashed || (payment !== undefined && channel.pending === undefined && payment.direction === 'out' && payment.kind !== 'batch' && payment.kind !== 'share' && payment.receipt.taskId === r.taskId)) {
          crashed = true
          throw new Error('the tab closed')
        }
        return store.saveChannel(channel, payment)
      }
    }
    const second = await session(submitter, crashing)
    // The channel is open already (an earlier task's payment went through), so the state lost is the payment's own.
    await second.channels.pay(await receipt(submitter))
    await second.node.dial(executor.node.getMultiaddrs()[0]!)
    await second.owed.start()
    await second.owed.settled()
    expect(crashed).toBe(true)
    expect(await paymentsFor(executor.store, r, 'in')).toBe(1)
    // Still owed in the history, its state pending on the channel: the payer never kept it co-signed.
    expect(second.owed.size).toBe(1)
    expect(second.notices).toEqual([])
    expect((await recordOf(store, r))?.payment).toBe('owed')
    expect((await store.listChannels())[0]?.pending).toBeDefined()
    await second.stop()

    const third = await session(submitter, store)
    await third.node.dial(executor.node.getMultiaddrs()[0]!)
    await third.owed.start()
    await third.owed.settled()
    expect(await paymentsFor(executor.store, r, 'in')).toBe(1)
    expect(await paymentsFor(store, r, 'out')).toBe(1)
    expect((await recordOf(store, r))?.payment).toBe('paid')
    // Found paid (the pending state, co-signed), not paid now: nothing to tell.
    expect(third.notices).toEqual([])
    const ledger = await ledgers(submitter, store)
    expect(ledger.mine.map(c => c.latest)).toEqual(ledger.theirs.map(c => c.latest))
    expect(ledger.mine[0]?.pending).toBeUndefined()
    // The earlier task's and this one's.
    expect([ledger.paidOut, ledger.paidIn, ledger.moved]).toEqual([2 * CHARGE, 2 * CHARGE, 2 * CHARGE])
    await third.stop()
  })

  it('two sweeps of one history at once pay each receipt once', async () => {
    const submitter = await createIdentity()
    const store = createMemoryStore<ZeroStateRecords>()
    const r = await receipt(submitter)
    await closedInTheBatchWindow(submitter, store, r)

    const next = await session(submitter, store)
    const notices: string[] = []
    const again = new OwedReceipts({
      self: id(submitter), store, channels: next.channels, events: next.node, connected: peer => next.node.getConnections(peerIdFromString(peer)).length > 0
    }, { onNotice: message => { notices.push(message) } })
    await next.node.dial(executor.node.getMultiaddrs()[0]!)
    await Promise.all([next.owed.start(), again.start()])
    await Promise.all([next.owed.settled(), again.settled()])
    expect(await paymentsFor(executor.store, r, 'in')).toBe(1)
    expect(await paymentsFor(store, r, 'out')).toBe(1)
    expect([next.owed.size, again.size]).toEqual([0, 0])
    expect(next.warnings).toEqual([])
    expect((await recordOf(store, r))?.payment).toBe('paid')
    const ledger = await ledgers(submitter, store)
    expect(ledger.mine.map(c => c.latest)).toEqual(ledger.theirs.map(c => c.latest))
    expect([ledger.paidOut, ledger.paidIn, ledger.moved]).toEqual([CHARGE, CHARGE, CHARGE])
    await again.stop()
    await next.stop()
  })

  it('a payee that holds a payment this peer has no record of (ReceiptPaidError) has it counted as paid, not paid again', async () => {
    const submitter = await createIdentity()
    const r = await receipt(submitter)
    // Paid from another store of the same peer (a copy restored from before the payment, say).
    const elsewhere = await session(submitter, createMemoryStore<ZeroStateRecords>())
    await elsewhere.channels.pay(r)
    await elsewhere.stop()
    const store = createMemoryStore<ZeroStateRecords>()
    await store.addReceipt(kept(r))

    const next = await session(submitter, store)
    await next.node.dial(executor.node.getMultiaddrs()[0]!)
    await next.owed.start()
    await next.owed.settled()
    expect(next.warnings).toEqual([])
    expect(next.owed.size).toBe(0)
    expect(await paymentsFor(executor.store, r, 'in')).toBe(1)
    expect((await recordOf(store, r))?.payment).toBe('paid')
    expect(next.notices).toEqual([])
    await next.stop()
  })

  it('never pays what was not owed: a receipt this peer\'s own re-run showed wrong, one kept without a payment owed (a guild\'s step, an older record)', async () => {
    const submitter = await createIdentity()
    const store = createMemoryStore<ZeroStateRecords>()
    const [wrong, guildStep, owed] = [await receipt(submitter), await receipt(submitter), await receipt(submitter)]
    await store.addReceipt(kept(wrong!))
    await store.addReceipt(kept(guildStep!, 'none'))
    await store.addReceipt(kept(owed!))
    // A witness disputed `wrong`, and this peer's own re-run agreed with the witness (trust/witness, the dispute's record).
    const attestation = { receiptHash: receiptHash(wrong!), witness: 'witness', verdict: 'disagree' } as unknown as Attestation
    await store.addAttestation({ attestation, receivedAt: Date.now(), resolution: 'executor-wrong' })

    const next = await session(submitter, store)
    await next.node.dial(executor.node.getMultiaddrs()[0]!)
    await next.owed.start()
    await next.owed.settled()
    expect(await paymentsFor(executor.store, owed!, 'in')).toBe(1)
    expect(await paymentsFor(executor.store, wrong!, 'in')).toBe(0)
    expect(await paymentsFor(executor.store, guildStep!, 'in')).toBe(0)
    expect((await recordOf(store, wrong!))?.payment).toBe('withheld')
    expect((await recordOf(store, guildStep!))?.payment).toBeUndefined()
    expect((await recordOf(store, owed!))?.payment).toBe('paid')
    expect(await store.listOwedReceipts()).toEqual([])
    await next.stop()
  })

  it('a task whose check showed its executor wrong keeps the checker\'s receipt as owed: the next start pays the checker, never the executor shown wrong', async () => {
    const submitter = await createIdentity()
    const cheat = await createIdentity()
    const store = createMemoryStore<ZeroStateRecords>()
    const taskId = `task_${++taskCounter}`
    const wrong = await signReceipt({ ...exampleUnsigned(cheat, submitter), taskId }, cheat)
    const checkers = await signReceipt({ ...exampleUnsigned(executor.identity, submitter), taskId: `${taskId}-check` }, executor.identity)
    const outcome = (r: Receipt): TaskOutcome => ({ stdout: new Uint8Array(), stderr: new Uint8Array(), files: [], exitCode: 0, receipt: r })
    const paidBySubmit: Receipt[] = []
    // The peer as submit.ts sees it: the executor answered, the check re-ran it and showed it wrong (orchestration/dispatch/verification.ts);
    // the check pays the checker behind the result — never, here: the tab closes first.
    const ctx = {
      peer: {
        dispatch: { runOnce: async (offer: ValidOffer) => ({ outcome: outcome(wrong), offer }) },
        verifier: { verify: async () => ({ outcome: outcome(checkers), checker: id(executor.identity), settled: true, payments: new Promise<void>(() => {}) }) },
        accountability: {
          afterTask: async (r: Receipt, _offer: unknown, _module: unknown, _announce: boolean, options: { pay?: boolean }) => { if (options.pay !== false) paidBySubmit.push(r) },
          pay: async (r: Receipt) => { paidBySubmit.push(r) }
        },
        settlements: new Settlements()
      },
      remember: async (record: ReceiptRecord) => store.addReceipt(record),
      fetchModule: async () => { throw new Error('the module is given') }
    } as unknown as PeerContext
    const result = await submitTask(ctx, { module: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) }, { taskId })
    expect(result.receipt).toBe(checkers)
    expect(paidBySubmit).toEqual([])
    await vi.waitFor(async () => { expect((await store.listOwedReceipts()).map(r => r.receipt.taskId)).toEqual([checkers.taskId]) })

    const next = await session(submitter, store)
    await next.node.dial(executor.node.getMultiaddrs()[0]!)
    await next.owed.start()
    await next.owed.settled()
    expect(await paymentsFor(executor.store, checkers, 'in')).toBe(1)
    expect(await paymentsFor(store, checkers, 'out')).toBe(1)
    expect(await paymentsFor(store, wrong, 'out')).toBe(0)
    expect(await store.listOwedReceipts()).toEqual([])
    expect(next.notices).toEqual([expect.stringMatching(/^paid 1 receipt owed from an earlier session/)])
    await next.stop()
  })

  it('a risky executor\'s receipt, held until its check agrees: a check cut short by the tab\'s closing leaves it owed and the next start pays it; one its check could not confirm is withheld, never paid', async () => {
    const submitter = await createIdentity()
    const checker = await createIdentity()
    const store = createMemoryStore<ZeroStateRecords>()
    const book = new VerificationService({ store: createMemoryStore() })
    await book.start()
    // A checker the submitter trusts; the executor is new to it, so its payment is held until the check agrees.
    for (let i = 0; i < DEFAULT_MIN_CHECKER_CONFIRMED; i++) book.confirm(id(checker))
    const paid: Receipt[] = []
    /** How the checker answers the check: `undefined` — it is still running when the tab closes. */
    const checkerAnswers: { receipt?: Receipt } = {}
    const verifier = new TaskVerification({
      identity: submitter,
      mesh: { executors: () => [id(checker)] },
      dispatch: {
        runOnce: async (offer, _module, _requirements, _request, options) => {
          if (checkerAnswers.receipt === undefined) {
            return new Promise((_resolve, reject) => {
              const signal = options?.signal
              if (signal?.aborted === true) reject(signal.reason)
              signal?.addEventListener('abort', () => { reject(signal.reason) })
            })
          }
          return { outcome: { stdout: new Uint8Array(), stderr: new Uint8Array(), files: [], exitCode: 0, receipt: checkerAnswers.receipt }, offer }
        }
      },
      reputation: { book: new ReputationBook({ now: Date.now }) } as never,
      verification: book,
      accountability: { pay: async r => { paid.push(r) }, provenWrong: async () => {} },
      // This peer's own re-run, which would settle a disagreement, fails here: it cannot confirm either.
      runner: { run: async () => { throw new Error('this sandbox is out of order') } },
      keep: checkRecords({ store, logger: noopLogger })
    }, { random: () => 0.5 })
    const offerOf = (r: Receipt): ValidOffer => ({ taskId: r.taskId, maxTotalPrice: r.price.maxTotalPrice, moduleHash: r.moduleHash, args: [], env: [], stdin: new Uint8Array(), files: [] }) as unknown as ValidOffer
    const ranOn = (r: Receipt): TaskOutcome => ({ stdout: utf8('3\n'), stderr: new Uint8Array(), files: [], exitCode: 0, receipt: r })

    // The tab closes while the check runs (its submission is given up as the page goes).
    const cutShort = await receipt(submitter)
    const closing = new AbortController()
    const checking = verifier.verify(ranOn(cutShort), offerOf(cutShort), new Uint8Array(), { moduleHash: cutShort.moduleHash }, { signal: closing.signal, onCheck: () => { closing.abort() } })
    expect((await rejection(checking)).name).toBe('AbortError')
    // The check disagrees with the next one and nothing settles it: withheld.
    const unconfirmed = await receipt(submitter)
    checkerAnswers.receipt = await signReceipt({ ...exampleUnsigned(checker, submitter), taskId: `${unconfirmed.taskId}-check`, outputHash: 'f'.repeat(64) }, checker)
    expect((await rejection(verifier.verify(ranOn(unconfirmed), offerOf(unconfirmed), new Uint8Array(), { moduleHash: unconfirmed.moduleHash }))).name).toBe('NoMajorityError')
    expect(paid).toEqual([])
    expect(await recordOf(store, cutShort)).toMatchObject({ payment: 'owed', label: `task ${cutShort.taskId.slice(0, 8)}, kept as its check began`, stdoutPreview: '3\n' })
    expect((await recordOf(store, unconfirmed))?.payment).toBe('withheld')
    book.stop()

    const next = await session(submitter, store)
    await next.node.dial(executor.node.getMultiaddrs()[0]!)
    await next.owed.start()
    await next.owed.settled()
    expect(await paymentsFor(executor.store, cutShort, 'in')).toBe(1)
    expect(await paymentsFor(executor.store, unconfirmed, 'in')).toBe(0)
    expect((await recordOf(store, cutShort))?.payment).toBe('paid')
    expect((await recordOf(store, unconfirmed))?.payment).toBe('withheld')
    expect(await store.listOwedReceipts()).toEqual([])
    await next.stop()
  })

  it('a task that ran and failed keeps its receipt as owed (the executor did the work it signed for): the next start pays it', async () => {
    const submitter = await createIdentity()
    const store = createMemoryStore<ZeroStateRecords>()
    const taskId = `task_${++taskCounter}`
    const failed = await signReceipt({ ...exampleUnsigned(executor.identity, submitter), taskId, status: 'trap', exitCode: null }, executor.identity)
    const ctx = {
      peer: {
        dispatch: { runOnce: async () => { throw new RemoteTaskError('TaskTrapError', 'unreachable executed', failed) } },
        // The tab closes before the payment: it never happens in this session.
        accountability: { pay: async () => new Promise<void>(() => {}) },
        settlements: new Settlements()
      },
      remember: async (record: ReceiptRecord) => store.addReceipt(record),
      fetchModule: async () => { throw new Error('the module is given') }
    } as unknown as PeerContext
    const submitting = submitTask(ctx, { module: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), executor: id(executor.identity) }, { taskId })
    submitting.catch(() => {})
    await vi.waitFor(async () => { expect((await store.listOwedReceipts()).map(r => r.receipt.taskId)).toEqual([taskId]) })

    const next = await session(submitter, store)
    await next.node.dial(executor.node.getMultiaddrs()[0]!)
    await next.owed.start()
    await next.owed.settled()
    expect(await paymentsFor(executor.store, failed, 'in')).toBe(1)
    expect((await recordOf(store, failed))?.payment).toBe('paid')
    await next.stop()
  })

  it('a payment that fails leaves the receipt owed, and the next connection to its executor pays it', async () => {
    const submitter = await createIdentity()
    const store = createMemoryStore<ZeroStateRecords>()
    const r = await receipt(submitter)
    await closedInTheBatchWindow(submitter, store, r)

    // The payee goes away before co-signing: nothing is paid, and the sweep's pending state is dropped at the next contact.
    executorMisbehaves = async (stream) => { stream.abort(new Error('gone')) }
    const next = await session(submitter, store)
    await next.node.dial(executor.node.getMultiaddrs()[0]!)
    await next.owed.start()
    await next.owed.settled()
    executorMisbehaves = undefined
    expect(next.owed.size).toBe(1)
    expect(await paymentsFor(executor.store, r, 'in')).toBe(0)
    await next.node.hangUp(executor.identity.peerId)
    await next.node.dial(executor.node.getMultiaddrs()[0]!)
    await vi.waitFor(() => { expect(next.owed.size).toBe(0) }, { timeout: 10_000 })
    await next.owed.settled()
    expect(await paymentsFor(executor.store, r, 'in')).toBe(1)
    expect(next.notices).toEqual([expect.stringMatching(/^paid 1 receipt owed from an earlier session/)])
    expect((await ledgers(submitter, store)).paidIn).toBe(CHARGE)
    expect((await rejection(next.channels.pay(r))).name).toBe('RemoteRequestError')
    await next.stop()
  })
})
