/**
 * Payment channels on the wire: a submitter (party a) pays the executor
 * (party b) of each task with a new co-signed channel state tied to the
 * task's receipt, over /zerostate/payment/1.0.0.
 *
 * Order of writes (so a crash or reload loses nothing): the payer writes the
 * state it signed as `pending` before sending it; the payee writes the
 * co-signed state and the payment in one transaction before answering; the
 * payer then writes the co-signed state. A payer whose answer never came asks
 * for the payee's newest state at the next contact (`sync`) and adopts it if
 * it is the pending one, co-signed.
 */
import type { AbortOptions, Connection, Stream } from '@libp2p/interface'
import { canonicalize, KeyedLock } from '../../core/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { PAYMENT_PROTOCOL } from '../../network/constants.ts'
import { requestJson, serveJson } from '../../network/json-exchange.ts'
import type { ChannelRecord, ChannelStore, PaymentRecord, PaymentTerms } from './records.ts'
import { receiptHash, verifyReceipt } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { Attestation } from '../../receipts/attestation/index.ts'
import {
  applyState, assertNextSequence, assertSameChannel, challenge, checkOpening, cooperativeClose, cosign, openChannel, proposeFinal,
  proposePayment, readSignedState, receiptRefOf, settle, signState, unilateralClose, verifyOpening
} from '../channel/index.ts'
import type { ChannelState, ClosingChannel, Settlement, SignedChannelState } from '../channel/index.ts'
import { DEFAULT_CHALLENGE_PERIOD_MS, DEFAULT_CHANNEL_DEPOSIT, MAX_CHANNEL_DEPOSIT, MAX_PAYMENT_MESSAGE_BYTES } from './constants.ts'
import { readRequest } from './messages.ts'
import type { Request } from './messages.ts'
import { checkRefundEvidence } from './refund-evidence.ts'
import {
  InvalidPaymentMessageError, PaymentAmountError, PaymentNotAcknowledgedError, RefundRefusedError, UnexpectedStateError,
  UnknownChannelError
} from './errors.ts'

export interface PaymentChannelsComponents {
  identity: PeerIdentity
  store: ChannelStore
  /** A connection to `peer`, dialling it if needed. */
  connectionTo(peer: string, options: AbortOptions): Promise<Connection>
}

export interface PaymentChannelsInit {
  /** What a receipt is charged, in micro-units: the payee accepts exactly this for it. */
  chargeOf(receipt: Receipt): number
  /** Deposit of a new channel, at least the first payment. Default DEFAULT_CHANNEL_DEPOSIT. */
  deposit?: number
  now?(): number
  /** A fresh channel id: 1–64 characters of [A-Za-z0-9_-]. */
  newChannelId?(): string
  /** A channel or payment changed (for the ledger view). */
  onChange?(): void
  /** A channel settled; the record is signed by this peer (both parties keep one) and is for the mesh. */
  onSettlement?(settlement: Settlement): void
  /** A unilateral close was started or challenged here: the closing record is for the mesh. */
  onClosing?(closing: ClosingChannel): void
}

function randomChannelId (): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return `ch_${Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')}`
}

const sameState = (x: ChannelState, y: ChannelState): boolean => canonicalize(x) === canonicalize(y)

/** Channels of this peer, as payer and as payee. */
export class PaymentChannels {
  private readonly components: PaymentChannelsComponents
  private readonly init: PaymentChannelsInit
  private readonly lock = new KeyedLock()
  private readonly deposit: number
  private readonly now: () => number
  private readonly newChannelId: () => string
  /** Per payee, the channel this peer pays it on, once looked up: saves reading every channel for every payment. */
  private readonly payingOn = new Map<string, string>()

  constructor (components: PaymentChannelsComponents, init: PaymentChannelsInit) {
    this.components = components
    this.init = init
    this.deposit = init.deposit ?? DEFAULT_CHANNEL_DEPOSIT
    if (!Number.isSafeInteger(this.deposit) || this.deposit <= 0 || this.deposit > MAX_CHANNEL_DEPOSIT) {
      throw new RangeError(`deposit must be an integer in 1..${MAX_CHANNEL_DEPOSIT}, got ${this.deposit}`)
    }
    this.now = init.now ?? Date.now
    this.newChannelId = init.newChannelId ?? randomChannelId
  }

  private get self (): string {
    return this.components.identity.peerId.toString()
  }

  /**
   * Pays the executor of `receipt` what it is charged, on the open channel
   * with it (opened, or replaced by a larger one, as needed). Resolves with
   * the payment once co-signed and stored, or undefined when the charge is 0.
   */
  async pay (receipt: Receipt, options: AbortOptions = {}): Promise<PaymentRecord | undefined> {
    if (receipt.submitter !== this.self) throw new PaymentAmountError(`receipt ${receipt.taskId} names another submitter`)
    const amount = this.init.chargeOf(receipt)
    if (amount === 0) return undefined
    const peer = receipt.executor
    return this.lock.run(peer, async () => {
      let channel = await this.openChannelWith(peer, amount, options)
      const proposal = proposePayment(channel.latest.state, this.self, amount, receiptRefOf(receipt), this.now())
      const signed = await signState(proposal, this.components.identity)
      channel = { ...channel, pending: { state: signed, receipt, kind: 'payment', direction: 'out', amount }, updatedAt: this.now() }
      await this.components.store.saveChannel(channel)
      return this.complete(channel, await this.send(peer, { type: 'pay', state: signed, receipt }, options))
    })
  }

  /**
   * Asks the executor of `receipt` to pay back what was paid for it, with the
   * witnesses' disagreeing attestations as evidence. Resolves with the refund
   * once co-signed and stored; rejects with RemoteRequestError('RefundRefusedError') if refused.
   */
  async requestRefund (receipt: Receipt, attestations: Attestation[], options: AbortOptions = {}): Promise<PaymentRecord> {
    const peer = receipt.executor
    return this.lock.run(peer, async () => {
      const paid = await this.paymentFor(receipt, 'out')
      if (paid === undefined) throw new RefundRefusedError(`nothing was paid for ${receipt.taskId}`)
      if (await this.paymentFor(receipt, 'in', 'refund') !== undefined) throw new RefundRefusedError(`${receipt.taskId} was refunded already`)
      let channel = await this.syncedChannel(await this.channelOf(paid.channelId, peer), options)
      if (channel.status !== 'open') throw new UnknownChannelError(`channel ${channel.channelId} is ${channel.status}`)
      const proposal = proposePayment(channel.latest.state, peer, paid.amount, receiptRefOf(receipt), this.now())
      const signed = await signState(proposal, this.components.identity)
      channel = { ...channel, pending: { state: signed, receipt, kind: 'refund', direction: 'in', amount: paid.amount }, updatedAt: this.now() }
      await this.components.store.saveChannel(channel)
      return this.complete(channel, await this.send(peer, { type: 'refund', state: signed, receipt, attestations }, options))
    })
  }

  /** Closes the channel with `peer` cooperatively: both sign a final state; resolves with this peer's settlement record. */
  async close (channelId: string, options: AbortOptions = {}): Promise<Settlement> {
    const stored = await this.components.store.getChannel(channelId)
    if (stored === undefined) throw new UnknownChannelError(`no channel ${channelId}`)
    return this.lock.run(stored.peer, async () => this.closeLocked(channelId, stored.peer, options))
  }

  /**
   * Closes without the other party, which may be gone for good: posts this
   * peer's newest co-signed state with a challenge period, during which the
   * other party may answer with a later co-signed state (onClosingNotice).
   * The channel settles when the period is over (settleDue).
   */
  async closeUnilaterally (channelId: string, challengePeriodMs: number): Promise<ClosingChannel> {
    const stored = await this.components.store.getChannel(channelId)
    if (stored === undefined) throw new UnknownChannelError(`no channel ${channelId}`)
    return this.lock.run(stored.peer, async () => {
      const channel = await this.channelOf(channelId, stored.peer)
      if (channel.status !== 'open') throw new UnknownChannelError(`channel ${channelId} is ${channel.status}`)
      const closing = unilateralClose(channel.latest, this.self, this.now(), challengePeriodMs)
      await this.components.store.saveChannel({ ...channel, status: 'closing', closing, updatedAt: this.now() })
      this.init.onChange?.()
      this.init.onClosing?.(closing)
      return closing
    })
  }

  /**
   * A closing record heard from the mesh, about a channel of this peer's or
   * not. From the other party closing: challenged at once with this peer's
   * newer state if it holds one (the stale-state defence). From the other
   * party challenging this peer's close: adopted if it is a valid challenge.
   * Anything else is ignored.
   */
  async onClosingNotice (closing: ClosingChannel, from: string): Promise<void> {
    const stored = await this.components.store.getChannel(closing.channelId)
    if (stored === undefined || stored.peer !== from) return
    await this.lock.run(stored.peer, async () => {
      const channel = await this.channelOf(closing.channelId, from)
      if (channel.status === 'settled') return
      if (closing.closer === from) {
        assertSameChannel(channel.latest.state, closing.state.state)
        const now = this.now()
        const answer = channel.latest.state.sequence > closing.state.state.sequence && now < closing.challengeEndsAt
          ? challenge(closing, channel.latest, now)
          : closing
        await this.components.store.saveChannel({ ...channel, status: 'closing', closing: answer, updatedAt: now })
        this.init.onChange?.()
        if (answer !== closing) this.init.onClosing?.(answer)
      } else if (closing.closer === this.self && channel.closing !== undefined) {
        const challenged = challenge(channel.closing, closing.state, this.now())
        await this.components.store.saveChannel({ ...channel, closing: challenged, latest: challenged.state, updatedAt: this.now() })
        this.init.onChange?.()
      }
    })
  }

  /**
   * Settles every unilateral close, started by either party, whose challenge
   * period is over, on the newest state posted; resolves with this peer's records.
   */
  async settleDue (): Promise<Settlement[]> {
    const now = this.now()
    const due = (await this.components.store.listChannels())
      .filter(c => c.status === 'closing' && c.closing !== undefined && now >= c.closing.challengeEndsAt)
    const settled: Settlement[] = []
    for (const channel of due) {
      const settlement = await this.lock.run(channel.peer, async () => settle(channel.closing!, this.now(), this.components.identity))
      await this.components.store.saveChannel({ ...channel, latest: settlement.finalState, status: 'settled', settlement, updatedAt: this.now() })
      this.init.onChange?.()
      this.init.onSettlement?.(settlement)
      settled.push(settlement)
    }
    return settled
  }

  /** Serves one request of /zerostate/payment/1.0.0 from `connection`'s remote peer. */
  async handle (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    await serveJson(stream, async (request) => this.answer(from, readRequest(request)), { maxBytes: MAX_PAYMENT_MESSAGE_BYTES })
  }

  private async answer (from: string, request: Request): Promise<unknown> {
    switch (request.type) {
      case 'open': return { state: await this.acceptOpening(from, request.state) }
      case 'sync': return { state: (await this.channelOf(request.channelId, from)).latest }
      case 'pay': return this.lock.run(from, async () => ({ state: await this.acceptPayment(from, request.state, request.receipt) }))
      case 'refund': return this.lock.run(from, async () => ({ state: await this.acceptRefund(from, request) }))
      case 'close': return this.lock.run(from, async () => ({ state: await this.acceptClose(from, request.state) }))
    }
  }

  /** The open channel this peer pays `peer` on, synced, holding at least `amount`; opens one (closing a spent one) if needed. */
  private async openChannelWith (peer: string, amount: number, options: AbortOptions): Promise<ChannelRecord> {
    const current = await this.payingChannel(peer)
    if (current !== undefined) {
      const channel = await this.syncedChannel(current, options)
      if (channel.latest.state.balanceA >= amount) return channel
      await this.closeLocked(channel.channelId, peer, options)
    }
    const opening = openChannel({ channelId: this.newChannelId(), a: this.self, b: peer, depositA: Math.max(this.deposit, amount), depositB: 0, at: this.now() })
    const answer = await this.send(peer, { type: 'open', state: await signState(opening, this.components.identity) }, options)
    const cosigned = verifyOpening(answer)
    if (!sameState(cosigned.state, opening)) throw new UnexpectedStateError(`${peer} co-signed another opening than ${opening.channelId}`)
    const channel: ChannelRecord = { channelId: opening.channelId, peer, side: 'a', latest: cosigned, status: 'open', updatedAt: this.now() }
    await this.components.store.saveChannel(channel)
    this.payingOn.set(peer, channel.channelId)
    this.init.onChange?.()
    return channel
  }

  /** The open channel this peer pays `peer` on, if any: from memory when known, else from the store. */
  private async payingChannel (peer: string): Promise<ChannelRecord | undefined> {
    const known = this.payingOn.get(peer)
    const channel = known === undefined
      ? (await this.components.store.listChannels()).find(c => c.peer === peer && c.side === 'a' && c.status === 'open')
      : await this.components.store.getChannel(known)
    if (channel === undefined || channel.status !== 'open') {
      this.payingOn.delete(peer)
      return undefined
    }
    this.payingOn.set(peer, channel.channelId)
    return channel
  }

  /** `channel` (as just read from the store), with a pending payment resolved against the other party's newest state. */
  private async syncedChannel (channel: ChannelRecord, options: AbortOptions): Promise<ChannelRecord> {
    if (channel.pending === undefined) return channel
    const theirs = readSignedState(await this.send(channel.peer, { type: 'sync', channelId: channel.channelId }, options))
    if (theirs.state.sequence === channel.latest.state.sequence) {
      // The payee never co-signed: the pending payment did not happen.
      const dropped = { ...channel, pending: undefined, updatedAt: this.now() }
      await this.components.store.saveChannel(dropped)
      return dropped
    }
    return this.completeLocked(channel, theirs)
  }

  private async send (peer: string, request: Request, options: AbortOptions): Promise<SignedChannelState> {
    let answer: unknown
    try {
      const connection = await this.components.connectionTo(peer, options)
      answer = await requestJson(connection, PAYMENT_PROTOCOL, request, { ...options, maxBytes: MAX_PAYMENT_MESSAGE_BYTES })
    } catch (err) {
      if (request.type === 'pay' || request.type === 'refund') {
        if (err instanceof Error && err.name === 'RemoteRequestError') throw err
        throw new PaymentNotAcknowledgedError(`${peer} did not acknowledge the ${request.type} for ${request.receipt.taskId}; it stays pending`, { cause: err })
      }
      throw err
    }
    if (typeof answer !== 'object' || answer === null) throw new InvalidPaymentMessageError('the answer is not an object')
    return readSignedState((answer as { state?: unknown }).state)
  }

  /** Adopts the co-signed answer to the pending payment and stores it with its payment record. */
  private async complete (channel: ChannelRecord, answer: SignedChannelState): Promise<PaymentRecord> {
    await this.completeLocked(channel, answer)
    const { pending } = channel
    return { channelId: channel.channelId, sequence: answer.state.sequence, direction: pending!.direction, amount: pending!.amount, receipt: pending!.receipt, kind: pending!.kind, state: answer, at: answer.state.at }
  }

  private async completeLocked (channel: ChannelRecord, answer: SignedChannelState): Promise<ChannelRecord> {
    const pending = channel.pending
    if (pending === undefined) throw new UnexpectedStateError(`channel ${channel.channelId} has no pending payment`)
    const next = applyState(channel.latest, answer)
    if (!sameState(next.state, pending.state.state)) {
      throw new UnexpectedStateError(`${channel.peer} answered channel ${channel.channelId} with state ${next.state.sequence}, not the one proposed`)
    }
    const updated: ChannelRecord = { ...channel, latest: next, pending: undefined, updatedAt: this.now() }
    await this.components.store.saveChannel(updated, { channelId: channel.channelId, sequence: next.state.sequence, ...pending, state: next, at: next.state.at })
    this.init.onChange?.()
    return updated
  }

  private async closeLocked (channelId: string, peer: string, options: AbortOptions): Promise<Settlement> {
    const channel = await this.syncedChannel(await this.channelOf(channelId, peer), options)
    if (channel.status !== 'open') throw new UnknownChannelError(`channel ${channelId} is ${channel.status}`)
    const proposal = proposeFinal(channel.latest.state, this.now())
    const answer = await this.send(peer, { type: 'close', state: await signState(proposal, this.components.identity) }, options)
    const final = applyState(channel.latest, answer)
    if (!sameState(final.state, proposal)) throw new UnexpectedStateError(`${peer} co-signed another final state of ${channelId}`)
    return this.settle(channel, final)
  }

  private async settle (channel: ChannelRecord, final: SignedChannelState): Promise<Settlement> {
    const settlement = await cooperativeClose(final, this.now(), this.components.identity)
    await this.components.store.saveChannel({ ...channel, latest: final, status: 'settled', settlement, updatedAt: this.now() })
    this.init.onChange?.()
    this.init.onSettlement?.(settlement)
    return settlement
  }

  private async channelOf (channelId: string, peer: string): Promise<ChannelRecord> {
    const channel = await this.components.store.getChannel(channelId)
    // The same answer whether the channel is unknown or another peer's: a stranger learns nothing of it.
    if (channel === undefined || channel.peer !== peer) throw new UnknownChannelError(`no channel ${channelId} with ${peer}`)
    return channel
  }

  private async openChannelOf (channelId: string, peer: string, side: 'a' | 'b'): Promise<ChannelRecord> {
    const channel = await this.channelOf(channelId, peer)
    if (channel.side !== side || channel.status !== 'open') throw new UnknownChannelError(`channel ${channelId} is not open for this`)
    return channel
  }

  private async acceptOpening (from: string, proposed: SignedChannelState): Promise<SignedChannelState> {
    const { state } = proposed
    checkOpening(state)
    if (state.a !== from || state.b !== this.self) throw new InvalidPaymentMessageError('an opening names its sender as a and this peer as b')
    if (state.depositB !== 0) throw new InvalidPaymentMessageError('a payee puts no deposit into a channel it is paid on')
    if (state.depositA > MAX_CHANNEL_DEPOSIT) throw new InvalidPaymentMessageError(`deposit above ${MAX_CHANNEL_DEPOSIT}`)
    if (await this.components.store.getChannel(state.channelId) !== undefined) throw new InvalidPaymentMessageError(`channel ${state.channelId} exists`)
    const cosigned = await cosign(proposed, this.components.identity)
    // One open channel per payer: an older one (its payer lost track of it, or never closed it) is closed
    // on this peer's newest co-signed state, which the payer may still challenge with a later one.
    const older = (await this.components.store.listChannels()).filter(c => c.peer === from && c.side === 'b' && c.status === 'open')
    await this.components.store.saveChannel({ channelId: state.channelId, peer: from, side: 'b', latest: cosigned, status: 'open', updatedAt: this.now() })
    this.init.onChange?.()
    for (const channel of older) await this.closeUnilaterally(channel.channelId, DEFAULT_CHALLENGE_PERIOD_MS)
    return cosigned
  }

  /**
   * Co-signs a payment for a receipt this peer signed for the sender, moving
   * exactly its charge from a to b in the very next state, and stores it
   * before answering.
   */
  private async acceptPayment (from: string, proposed: SignedChannelState, receipt: Receipt): Promise<SignedChannelState> {
    const channel = await this.openChannelOf(proposed.state.channelId, from, 'b')
    await verifyReceipt(receipt, { executor: this.self, submitter: from })
    const amount = this.init.chargeOf(receipt)
    this.checkTransfer(channel.latest.state, proposed.state, receipt, amount, 'a')
    return this.acceptTransfer(channel, proposed, { receipt, kind: 'payment', direction: 'in', amount })
  }

  /**
   * Co-signs a refund of a payment this peer received, when the evidence
   * makes it due: witnesses other than the submitter re-ran the task, signed
   * that the receipt is wrong, and agree with each other on what the right
   * result is. Never refunds a receipt twice.
   */
  private async acceptRefund (from: string, request: Extract<Request, { type: 'refund' }>): Promise<SignedChannelState> {
    const { receipt, attestations, state: proposed } = request
    const channel = await this.openChannelOf(proposed.state.channelId, from, 'b')
    await verifyReceipt(receipt, { executor: this.self, submitter: from })
    const paid = await this.paymentFor(receipt, 'in')
    if (paid === undefined || paid.channelId !== channel.channelId) throw new RefundRefusedError(`no payment for ${receipt.taskId} on ${channel.channelId}`)
    if (await this.paymentFor(receipt, 'out', 'refund') !== undefined) throw new RefundRefusedError(`${receipt.taskId} was refunded already`)
    await checkRefundEvidence(receipt, attestations, from, this.now())
    this.checkTransfer(channel.latest.state, proposed.state, receipt, paid.amount, 'b')
    return this.acceptTransfer(channel, proposed, { receipt, kind: 'refund', direction: 'out', amount: paid.amount })
  }

  /** Throws unless `next` follows `current` by moving exactly `amount` from `payer` to the other party for `receipt`. */
  private checkTransfer (current: ChannelState, next: ChannelState, receipt: Receipt, amount: number, payer: 'a' | 'b'): void {
    assertSameChannel(current, next)
    assertNextSequence(current, next)
    const expected = proposePayment(current, current[payer], amount, receiptRefOf(receipt), next.at)
    if (!sameState(expected, next)) {
      throw new PaymentAmountError(`state ${next.sequence} of ${current.channelId} does not move exactly ${amount} for ${receipt.taskId}`)
    }
  }

  private async acceptTransfer (channel: ChannelRecord, proposed: SignedChannelState, payment: PaymentTerms): Promise<SignedChannelState> {
    const cosigned = await cosign(proposed, this.components.identity)
    const { state } = cosigned
    await this.components.store.saveChannel(
      { ...channel, latest: cosigned, updatedAt: this.now() },
      { channelId: channel.channelId, sequence: state.sequence, ...payment, state: cosigned, at: state.at }
    )
    this.init.onChange?.()
    return cosigned
  }

  private async acceptClose (from: string, proposed: SignedChannelState): Promise<SignedChannelState> {
    const channel = await this.openChannelOf(proposed.state.channelId, from, 'b')
    if (!sameState(proposeFinal(channel.latest.state, proposed.state.at), proposed.state)) {
      throw new UnexpectedStateError(`a final state of ${channel.channelId} keeps the balances of state ${channel.latest.state.sequence}`)
    }
    const final = await cosign(proposed, this.components.identity)
    await this.settle(channel, final)
    return final
  }

  private async paymentFor (receipt: Receipt, direction: PaymentRecord['direction'], kind: PaymentRecord['kind'] = 'payment'): Promise<PaymentRecord | undefined> {
    const hash = receiptHash(receipt)
    return (await this.components.store.listPayments()).find(p => p.direction === direction && p.kind === kind && p.state.state.paysFor?.receiptHash === hash)
  }
}
