/**
 * The book of a peer's channels: ChannelRecords and PaymentRecords read
 * from and written to the ChannelStore, the per-peer lock that keeps the
 * changes to the channels with one peer in order, which channel this
 * peer pays each payee on, and which receipts were paid already.
 */
import { canonicalize, KeyedLock } from '../../core/index.ts'
import { receiptHash } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import { receiptsPaidBy } from '../channel/index.ts'
import type { ChannelState } from '../channel/index.ts'
import { UnknownChannelError } from './errors.ts'
import { paymentsOf } from './records.ts'
import type { ChannelRecord, ChannelStore, PaymentRecord, StoredPaymentRecord } from './records.ts'

/** Whether `x` and `y` are the same state, member for member. */
export const sameState = (x: ChannelState, y: ChannelState): boolean => canonicalize(x) === canonicalize(y)

export class ChannelBook {
  private readonly store: ChannelStore
  private readonly lock = new KeyedLock()
  /** Per payee, the channel this peer pays it on, once looked up: saves reading every channel for every payment. */
  private readonly payingOn = new Map<string, string>()
  /**
   * `${direction} ${receiptHash}` of every receipt paid (not refunded), read
   * from the store once and kept up to date by `save`: asking whether a
   * receipt was paid must not read every payment ever made, once a payment.
   */
  private paidReceipts: Promise<Set<string>> | undefined

  constructor (store: ChannelStore) {
    this.store = store
  }

  /** Runs `work` after every change to the channels with `peer` queued before it, and before any queued after. */
  async locked<T> (peer: string, work: () => Promise<T>): Promise<T> {
    return this.lock.run(peer, work)
  }

  async get (channelId: string): Promise<ChannelRecord | undefined> {
    return this.store.getChannel(channelId)
  }

  /** Every channel, most recently updated first. */
  async list (): Promise<ChannelRecord[]> {
    return this.store.listChannels()
  }

  /** Writes `channel` and, when given, the payment that moved it to its newest state, in one transaction. */
  async save (channel: ChannelRecord, payment?: StoredPaymentRecord): Promise<void> {
    await this.store.saveChannel(channel, payment)
    if (payment === undefined) return
    // After the write: a receipt counts as paid once its payment is on disk, and never before. An index
    // not read yet will read this payment from the store when it is (a payer never needs to read it).
    // A read that failed is read again when next asked: nothing to add to.
    const paid = await this.paidReceipts?.catch(() => undefined)
    if (paid !== undefined) for (const key of paidKeysOf(payment)) paid.add(key)
  }

  /** Whether a payment for the receipt `hash` was made or received (`direction`) already, on any channel. */
  async receiptPaid (hash: string, direction: PaymentRecord['direction']): Promise<boolean> {
    return (await this.paidIndex()).has(paidKey(direction, hash))
  }

  private async paidIndex (): Promise<Set<string>> {
    this.paidReceipts ??= this.store.listPayments().then(records => new Set(records.flatMap(paidKeysOf)))
    // A failed read is not kept: the next question reads again.
    this.paidReceipts.catch(() => { this.paidReceipts = undefined })
    return this.paidReceipts
  }

  /** The channel `channelId` with `peer`; UnknownChannelError if there is none. */
  async channelOf (channelId: string, peer: string): Promise<ChannelRecord> {
    const channel = await this.store.getChannel(channelId)
    // The same answer whether the channel is unknown or another peer's: a stranger learns nothing of it.
    if (channel === undefined || channel.peer !== peer) throw new UnknownChannelError(`no channel ${channelId} with ${peer}`)
    return channel
  }

  /** The channel `channelId` with `peer`, open, in which this peer is `side`; UnknownChannelError otherwise. */
  async openChannelOf (channelId: string, peer: string, side: 'a' | 'b'): Promise<ChannelRecord> {
    const channel = await this.channelOf(channelId, peer)
    if (channel.side !== side || channel.status !== 'open') throw new UnknownChannelError(`channel ${channelId} is not open for this`)
    return channel
  }

  /** The open channel this peer pays `peer` on, if any: from memory when known, else from the store. */
  async payingChannel (peer: string): Promise<ChannelRecord | undefined> {
    const known = this.payingOn.get(peer)
    const channel = known === undefined
      ? (await this.store.listChannels()).find(c => c.peer === peer && c.side === 'a' && c.status === 'open')
      : await this.store.getChannel(known)
    if (channel === undefined || channel.status !== 'open') {
      this.payingOn.delete(peer)
      return undefined
    }
    this.payingOn.set(peer, channel.channelId)
    return channel
  }

  /** Notes that this peer now pays `peer` on `channelId`. */
  payOn (peer: string, channelId: string): void {
    this.payingOn.set(peer, channelId)
  }

  /** The stored share payment made to, or received from (`direction`), `peer` under the split record `recordHash`, if any. */
  async sharePaymentFor (recordHash: string, direction: PaymentRecord['direction'], peer: string): Promise<PaymentRecord | undefined> {
    for (const p of await this.store.listPayments()) {
      if (p.direction !== direction || p.kind !== 'share' || p.state.state.paysShare?.recordHash !== recordHash) continue
      // One record pays several members, each on its own channel: the channel says whose share this was.
      if ((await this.store.getChannel(p.channelId))?.peer === peer) return p
    }
    return undefined
  }

  /** The stored payment of `kind` made or received (`direction`) for `receipt`, if any. */
  async paymentFor (receipt: Receipt, direction: PaymentRecord['direction'], kind: 'payment' | 'refund' = 'payment'): Promise<PaymentRecord | undefined> {
    const hash = receiptHash(receipt)
    const kinds = kind === 'payment' ? ['payment', 'batch'] : ['refund']
    const found = (await this.store.listPayments())
      .find(p => p.direction === direction && kinds.includes(p.kind) && receiptsPaidBy(p.state.state).some(ref => ref.receiptHash === hash))
    // A receipt paid in a batch is found too, as its own payment (paymentsOf) with its own charge.
    return found === undefined ? undefined : paymentsOf(found).find(p => p.kind !== 'share' && receiptHash(p.receipt) === hash)
  }
}

const paidKey = (direction: PaymentRecord['direction'], hash: string): string => `${direction} ${hash}`

/** The paid-receipt keys of a stored payment: every receipt its state pays for, unless it is a refund or a share. */
function paidKeysOf (record: StoredPaymentRecord): string[] {
  if (record.kind !== 'payment' && record.kind !== 'batch') return []
  return receiptsPaidBy(record.state.state).map(ref => paidKey(record.direction, ref.receiptHash))
}
