/**
 * Paying a Shapley split's shares over payment channels between two real
 * libp2p nodes: the payer pays a member exactly its payment under a split
 * record it signed, the member recomputes the record before it co-signs, and
 * a share is paid once — a record that does not recompute, names no payment
 * to the member, or is signed by another peer is never paid on.
 */
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url } from '../../../src/core/index.ts'
import { canonicalSigningBytes, createIdentity, signCanonicalBytes } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { proposeSharePayment, signState } from '../../../src/economy/channel/index.ts'
import { MAX_PAYMENT_MESSAGE_BYTES, PAYMENT_PROTOCOL, PaymentChannels } from '../../../src/economy/payments/index.ts'
import { signSplitRecord, splitRecordHash } from '../../../src/economy/shapley/index.ts'
import type { SplitGame, SplitRecord } from '../../../src/economy/shapley/index.ts'
import { UNSIGNED_SPLIT_RECORD_FIELDS } from '../../../src/economy/shapley/record-format.ts'
import { requestJson } from '../../../src/network/json-exchange.ts'
import type { ZeroStateRecords, ZeroStateStore } from '../../../src/peer/store.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'

const DEPOSIT = 50_000_000
const id = (p: PeerIdentity): string => p.peerId.toString()

interface Party { identity: PeerIdentity, node: Libp2p, store: ZeroStateStore, channels: PaymentChannels }

describe('paying split shares over payment channels', () => {
  let payer: Party
  let member: Party
  /** The record's other member: a live peer too, so that one record pays two channels. */
  let second: Party
  let runs = 0

  const party = async (listen: boolean): Promise<Party> => {
    const identity = await createIdentity()
    const node = await startTestNode({ identity, listen })
    const store = createMemoryStore<ZeroStateRecords>()
    const channels = new PaymentChannels(
      { identity, store, connectionTo: async peer => node.dial((peer === id(second.identity) ? second : member).node.getMultiaddrs()[0]!) },
      { chargeOf: () => 0, deposit: DEPOSIT }
    )
    return { identity, node, store, channels }
  }

  beforeAll(async () => {
    member = await party(true)
    second = await party(true)
    payer = await party(false)
    for (const payee of [member, second]) {
      await payee.node.handle(PAYMENT_PROTOCOL, async (stream, connection) => payee.channels.handle(stream, connection), { runOnLimitedConnection: true })
    }
  })

  afterAll(async () => {
    await payer?.node.stop()
    await member?.node.stop()
    await second?.node.stop()
  })

  /** Two members filling a role each: the member of the test and another peer. */
  const game = (): SplitGame => {
    const members = [
      { member: id(member.identity), costs: [{ role: 'fetch', cost: 500_000 }] },
      { member: id(second.identity), costs: [{ role: 'summarise', cost: 1_000_000 }] }
    ].sort((a, b) => a.member < b.member ? -1 : 1)
    return {
      value: 5_000_000,
      roles: [
        { role: 'fetch', substitutePrice: 2_000_000, source: 'auction', evidence: null },
        { role: 'summarise', substitutePrice: 2_000_000, source: 'card', evidence: null }
      ],
      members,
      synergies: []
    }
  }

  const record = async (by: PeerIdentity = payer.identity): Promise<SplitRecord> => signSplitRecord({
    runId: `run_${++runs}`, budget: 5_000_000, game: game(), signer: id(by), publicKey: bytesToBase64Url(by.publicKey), at: Date.now()
  }, by)

  const dueTo = (split: SplitRecord, peer: PeerIdentity): number => split.shares.find(share => share.member === id(peer))!.payment

  it('pays the member exactly its payment under the record; both sides keep it with the record', async () => {
    const split = await record()
    const paid = await payer.channels.payShare(split, id(member.identity))
    expect(paid).toMatchObject({ kind: 'share', direction: 'out', amount: dueTo(split, member.identity), share: { runId: split.runId, recordHash: splitRecordHash(split) } })
    expect(paid.state.state.paysShare).toEqual({ runId: split.runId, recordHash: splitRecordHash(split) })
    expect(paid.state.state.paysFor).toBeUndefined()
    const received = (await member.store.listPayments())[0]!
    expect(received).toMatchObject({ kind: 'share', direction: 'in', amount: dueTo(split, member.identity) })
    expect(received.kind === 'share' && received.share.record).toEqual(split)
  })

  it('pays each member of a record its share, and each once', async () => {
    const split = await record()
    await payer.channels.payShare(split, id(member.identity))
    await payer.channels.payShare(split, id(second.identity))
    expect((await second.store.listPayments()).filter(p => p.kind === 'share' && p.share.runId === split.runId).map(p => p.amount)).toEqual([dueTo(split, second.identity)])
    expect((await rejection(payer.channels.payShare(split, id(member.identity)))).name).toBe('ShareRefusedError')
    expect((await rejection(payer.channels.payShare(split, id(second.identity)))).name).toBe('ShareRefusedError')
  })

  it('refuses a record another peer signed, and a payee the record does not pay', async () => {
    expect((await rejection(payer.channels.payShare(await record(second.identity), id(member.identity)))).name).toBe('ShareRefusedError')
    expect((await rejection(payer.channels.payShare(await record(), id(payer.identity)))).name).toBe('ShareRefusedError')
  })

  it('the member refuses a share under a record that does not recompute, and one for more than its payment', async () => {
    const split = await record()
    // The payer inflates the other member's share at the expense of this one and signs that.
    const shares = split.shares.map(share => share.member === id(member.identity)
      ? { ...share, share: share.share - 1, payment: share.payment - 1 }
      : { ...share, share: share.share + 1, payment: share.payment + 1 })
    const { signature: _, ...unsigned } = { ...split, shares }
    const tampered = { ...unsigned, signature: await signCanonicalBytes(canonicalSigningBytes(unsigned, UNSIGNED_SPLIT_RECORD_FIELDS), payer.identity) }
    const channel = (await payer.store.listChannels()).find(c => c.status === 'open' && c.peer === id(member.identity))!
    const send = async (value: unknown, amount: number): Promise<unknown> => {
      const state = await signState(proposeSharePayment(channel.latest.state, id(payer.identity), amount, { runId: split.runId, recordHash: splitRecordHash(split) }, Date.now()), payer.identity)
      const connection = await payer.node.dial(member.node.getMultiaddrs()[0]!)
      return rejection(requestJson(connection, PAYMENT_PROTOCOL, { type: 'share', state, record: value }, { maxBytes: MAX_PAYMENT_MESSAGE_BYTES }))
    }
    expect(((await send(tampered, dueTo(split, member.identity) - 1)) as { remoteName?: string }).remoteName).toBe('SplitMismatchError')
    expect(((await send(split, dueTo(split, member.identity) + 1)) as { remoteName?: string }).remoteName).toBe('PaymentAmountError')
    expect((await member.store.listPayments()).filter(p => p.kind === 'share' && p.share.runId === split.runId)).toEqual([])
  })
})
