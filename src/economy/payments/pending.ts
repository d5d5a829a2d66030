/**
 * A payer's pending payment or refund: the state it signed, stored as
 * `pending` before it is sent, until the payee's co-signed answer is adopted
 * and stored with its payment record. A payer whose answer never came asks
 * for the payee's newest state at the next contact (`sync`): it adopts it if
 * it is the pending one, co-signed, and drops the pending one if the payee
 * never co-signed it.
 */
import type { AbortOptions } from '@libp2p/interface'
import { applyState, readSignedState, verifyStateAhead } from '../channel/index.ts'
import type { SignedChannelState } from '../channel/index.ts'
import { sameState } from './channel-book.ts'
import type { PaymentContext } from './context.ts'
import { UnexpectedStateError } from './errors.ts'
import type { ChannelRecord, StoredPaymentRecord } from './records.ts'

export class PendingPayments {
  private readonly context: PaymentContext

  constructor (context: PaymentContext) {
    this.context = context
  }

  /** `channel` (as just read from the store), with a pending payment resolved against the other party's newest state. */
  async synced (channel: ChannelRecord, options: AbortOptions): Promise<ChannelRecord> {
    if (channel.pending === undefined) return channel
    const { book, client } = this.context
    const theirs = readSignedState(await client.send(channel.peer, { type: 'sync', channelId: channel.channelId }, options))
    if (theirs.state.sequence === channel.latest.state.sequence) {
      // The payee never co-signed: the pending payment did not happen.
      const dropped = { ...channel, pending: undefined, updatedAt: this.context.now() }
      await book.save(dropped)
      return dropped
    }
    return this.adopt(channel, theirs)
  }

  /** Adopts the co-signed answer to the pending payment and stores it with its payment record (a batch's, for a batch). */
  async complete (channel: ChannelRecord, answer: SignedChannelState): Promise<StoredPaymentRecord> {
    await this.adopt(channel, answer)
    const { pending } = channel
    return { ...pending!, channelId: channel.channelId, sequence: answer.state.sequence, state: answer, at: answer.state.at }
  }

  /** Adopts the co-signed answer to the pending payment and stores it with its payment record; resolves with the updated channel. */
  private async adopt (channel: ChannelRecord, answer: SignedChannelState): Promise<ChannelRecord> {
    const pending = channel.pending
    if (pending === undefined) throw new UnexpectedStateError(`channel ${channel.channelId} has no pending payment`)
    await verifyStateAhead(answer)
    const next = applyState(channel.latest, answer)
    if (!sameState(next.state, pending.state.state)) {
      throw new UnexpectedStateError(`${channel.peer} answered channel ${channel.channelId} with state ${next.state.sequence}, not the one proposed`)
    }
    const updated: ChannelRecord = { ...channel, latest: next, pending: undefined, updatedAt: this.context.now() }
    await this.context.book.save(updated, { channelId: channel.channelId, sequence: next.state.sequence, ...pending, state: next, at: next.state.at })
    this.context.init.onChange?.()
    return updated
  }
}
