/**
 * How a channel ends. Cooperatively: the payer proposes a final state with
 * the balances of the newest one, the payee co-signs it, and each keeps its
 * own settlement record. Unilaterally, when the other party may be gone for
 * good: this peer posts its newest co-signed state with a challenge period,
 * the other party may answer with a later co-signed state (a closing notice
 * from the mesh), and the channel settles on the newest state posted once
 * the period is over.
 */
import type { AbortOptions } from '@libp2p/interface'
import { applyState, assertSameChannel, challenge, cooperativeClose, proposeFinal, settle, signState, unilateralClose } from '../channel/index.ts'
import type { ClosingChannel, Settlement, SignedChannelState } from '../channel/index.ts'
import { sameState } from './channel-book.ts'
import type { PaymentContext } from './context.ts'
import { UnexpectedStateError, UnknownChannelError } from './errors.ts'
import type { PendingPayments } from './pending.ts'
import type { ChannelRecord } from './records.ts'

export class Closing {
  private readonly context: PaymentContext
  private readonly pending: PendingPayments

  constructor (context: PaymentContext, pending: PendingPayments) {
    this.context = context
    this.pending = pending
  }

  /** Closes the channel with `peer` cooperatively: both sign a final state; resolves with this peer's settlement record. */
  async close (channelId: string, options: AbortOptions): Promise<Settlement> {
    const stored = await this.context.book.get(channelId)
    if (stored === undefined) throw new UnknownChannelError(`no channel ${channelId}`)
    return this.context.book.locked(stored.peer, async () => this.closeLocked(channelId, stored.peer, options))
  }

  /** `close`, with `peer`'s lock held. */
  async closeLocked (channelId: string, peer: string, options: AbortOptions): Promise<Settlement> {
    const { book, client, identity } = this.context
    const channel = await this.pending.synced(await book.channelOf(channelId, peer), options)
    if (channel.status !== 'open') throw new UnknownChannelError(`channel ${channelId} is ${channel.status}`)
    const proposal = proposeFinal(channel.latest.state, this.context.now())
    const answer = await client.send(peer, { type: 'close', state: await signState(proposal, identity) }, options)
    const final = applyState(channel.latest, answer)
    if (!sameState(final.state, proposal)) throw new UnexpectedStateError(`${peer} co-signed another final state of ${channelId}`)
    return this.settleOn(channel, final)
  }

  /** Settles `channel` cooperatively on `final`, co-signed: stores this peer's settlement record and hands it on. */
  async settleOn (channel: ChannelRecord, final: SignedChannelState): Promise<Settlement> {
    const settlement = await cooperativeClose(final, this.context.now(), this.context.identity)
    await this.context.book.save({ ...channel, latest: final, status: 'settled', settlement, updatedAt: this.context.now() })
    this.context.init.onChange?.()
    this.context.init.onSettlement?.(settlement)
    return settlement
  }

  /**
   * Closes without the other party, which may be gone for good: posts this
   * peer's newest co-signed state with a challenge period, during which the
   * other party may answer with a later co-signed state (onClosingNotice).
   * The channel settles when the period is over (settleDue).
   */
  async closeUnilaterally (channelId: string, challengePeriodMs: number): Promise<ClosingChannel> {
    const { book, init } = this.context
    const stored = await book.get(channelId)
    if (stored === undefined) throw new UnknownChannelError(`no channel ${channelId}`)
    return book.locked(stored.peer, async () => {
      const channel = await book.channelOf(channelId, stored.peer)
      if (channel.status !== 'open') throw new UnknownChannelError(`channel ${channelId} is ${channel.status}`)
      const closing = unilateralClose(channel.latest, this.context.self, this.context.now(), challengePeriodMs)
      await book.save({ ...channel, status: 'closing', closing, updatedAt: this.context.now() })
      init.onChange?.()
      init.onClosing?.(closing)
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
    const { book, init } = this.context
    const stored = await book.get(closing.channelId)
    if (stored === undefined || stored.peer !== from) return
    await book.locked(stored.peer, async () => {
      const channel = await book.channelOf(closing.channelId, from)
      if (channel.status === 'settled') return
      if (closing.closer === from) {
        assertSameChannel(channel.latest.state, closing.state.state)
        const now = this.context.now()
        const answer = channel.latest.state.sequence > closing.state.state.sequence && now < closing.challengeEndsAt
          ? challenge(closing, channel.latest, now)
          : closing
        await book.save({ ...channel, status: 'closing', closing: answer, updatedAt: now })
        init.onChange?.()
        if (answer !== closing) init.onClosing?.(answer)
      } else if (closing.closer === this.context.self && channel.closing !== undefined) {
        const challenged = challenge(channel.closing, closing.state, this.context.now())
        await book.save({ ...channel, closing: challenged, latest: challenged.state, updatedAt: this.context.now() })
        init.onChange?.()
      }
    })
  }

  /**
   * Settles every unilateral close, started by either party, whose challenge
   * period is over, on the newest state posted; resolves with this peer's records.
   */
  async settleDue (): Promise<Settlement[]> {
    const { book, init, identity } = this.context
    const now = this.context.now()
    const due = (await book.list())
      .filter(c => c.status === 'closing' && c.closing !== undefined && now >= c.closing.challengeEndsAt)
    const settled: Settlement[] = []
    for (const channel of due) {
      const settlement = await book.locked(channel.peer, async () => settle(channel.closing!, this.context.now(), identity))
      await book.save({ ...channel, latest: settlement.finalState, status: 'settled', settlement, updatedAt: this.context.now() })
      init.onChange?.()
      init.onSettlement?.(settlement)
      settled.push(settlement)
    }
    return settled
  }
}
