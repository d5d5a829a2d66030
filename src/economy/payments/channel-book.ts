/**
 * The book of a peer's channels: ChannelRecords and PaymentRecords read
 * from and written to the ChannelStore, the per-peer lock that keeps the
 * changes to the channels with one peer in order, and which channel this
 * peer pays each payee on.
 */
import { canonicalize, KeyedLock } from '../../core/index.ts'
import { receiptHash } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { ChannelState } from '../channel/index.ts'
import { UnknownChannelError } from './errors.ts'
import type { ChannelRecord, ChannelStore, PaymentRecord } from './records.ts'

/** Whether `x` and `y` are the same state, member for member. */
export const sameState = (x: ChannelState, y: ChannelState): boolean => canonicalize(x) === canonicalize(y)

export class ChannelBook {
  private readonly store: ChannelStore
  private readonly lock = new KeyedLock()
  /** Per payee, the channel this peer pays it on, once looked up: saves reading every channel for every payment. */
  private readonly payingOn = new Map<string, string>()

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
  async save (channel: ChannelRecord, payment?: PaymentRecord): Promise<void> {
    return this.store.saveChannel(channel, payment)
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
    return (await this.store.listPayments()).find(p => p.direction === direction && p.kind === kind && p.state.state.paysFor?.receiptHash === hash)
  }
}
