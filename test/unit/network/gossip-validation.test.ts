/**
 * Every service that gossips validates before forwarding: each one's topic
 * validator (what gossipsub runs before it delivers or forwards a message)
 * accepts a valid message from its author and rejects garbage and
 * forgeries — a document signed by one peer published by another — on the
 * Agent Card, receipt, attestation, reputation and settlement topics. Only
 * accepted messages reach the service. (Presence: presence-directory and the
 * hostile-presence e2e test; the whole path in Chromium: hostile-gossip.)
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub, Message, SignedMessage } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url, utf8ToBytes } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { AGENT_CARD_TOPIC } from '../../../src/discovery/constants.ts'
import { AgentCardService, signAgentCard } from '../../../src/discovery/index.ts'
import { cooperativeClose, cosign, openChannel, proposeFinal, signState } from '../../../src/economy/channel/index.ts'
import { SETTLEMENT_TOPIC } from '../../../src/economy/payments/constants.ts'
import { PaymentService } from '../../../src/economy/payments/index.ts'
import { gossipStats } from '../../../src/network/topic-channel.ts'
import { aboutReceipt, claimedRun, signAttestation, verdictOf } from '../../../src/receipts/attestation/index.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import { REPUTATION_TOPIC } from '../../../src/trust/reputation/constants.ts'
import { ReportService, signReport } from '../../../src/trust/reputation/index.ts'
import { ATTESTATION_TOPIC, RECEIPT_TOPIC } from '../../../src/trust/witness/constants.ts'
import { WitnessService } from '../../../src/trust/witness/index.ts'
import { encodeAnnouncement } from '../../../src/trust/witness/announcement.ts'
import type { ZeroStateRecords } from '../../../src/peer/store.ts'
import { exampleFields } from '../discovery/fixtures.ts'
import { EXAMPLE_INPUT_FILES, fixedIdentities, signedExample } from '../receipts/fixtures.ts'

type Validator = (peer: PeerId, message: Message) => Promise<TopicValidatorResult>

/** A gossipsub stand-in: services register validators and listeners on it; `receive` does what gossipsub does with a message. */
class FakePubsub extends EventTarget {
  readonly topicValidators = new Map<string, Validator>()
  readonly subscriptions = new Set<string>()
  subscribe (topic: string): void { this.subscriptions.add(topic) }
  unsubscribe (topic: string): void { this.subscriptions.delete(topic) }
  async publish (): Promise<{ recipients: PeerId[] }> { return { recipients: [] } }
  delivered: Message[] = []

  async receive (message: Message): Promise<TopicValidatorResult> {
    const result = await this.topicValidators.get(message.topic)!(message.type === 'signed' ? message.from : (undefined as unknown as PeerId), message)
    if (result === TopicValidatorResult.Accept) {
      this.delivered.push(message)
      this.dispatchEvent(new CustomEvent('message', { detail: message }))
    }
    return result
  }
}

const registrar = { handle: async () => {}, unhandle: async () => {} }
const noConnection = async (): Promise<never> => { throw new Error('no network in this test') }

const message = (from: PeerIdentity, topic: string, data: Uint8Array): SignedMessage => ({
  type: 'signed', from: from.peerId, topic, data, sequenceNumber: 1n, signature: new Uint8Array(64), key: from.privateKey.publicKey
})
const json = (value: unknown): Uint8Array => utf8ToBytes(JSON.stringify(value))

let self: PeerIdentity
let alice: PeerIdentity
let mallory: PeerIdentity
const stops: Array<() => unknown> = []

beforeAll(async () => {
  self = await createIdentity(new Uint8Array(32).fill(1))
  alice = await createIdentity(new Uint8Array(32).fill(2))
  mallory = await createIdentity(new Uint8Array(32).fill(3))
})

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop()
})

describe('gossip is validated before it is forwarded, on every topic', () => {
  it('Agent Cards: a card from its peer passes; garbage, another peer\'s card and a flood do not', async () => {
    const pubsub = new FakePubsub()
    const service = new AgentCardService({ identity: self, store: createMemoryStore<ZeroStateRecords>(), pubsub: pubsub as unknown as GossipSub }, {
      benchmark: { fuelPerMs: 1, reference: 'x'.repeat(64) },
      own: () => ({ contributing: false, workerSlots: 1, memoryLimitBytes: 1, tags: [], prices: { perMegaFuel: 0, perSecond: 0, perMb: 0 }, warmModules: [] })
    })
    await service.start()
    stops.push(() => { service.stop() })
    const now = Date.now()
    const card = async (author: PeerIdentity, sequence: number): Promise<Uint8Array> =>
      json(await signAgentCard(exampleFields(author, { issuedAt: now, expiresAt: now + 60_000, sequence }), author))
    expect(await pubsub.receive(message(alice, AGENT_CARD_TOPIC, await card(alice, now)))).toBe(TopicValidatorResult.Accept)
    expect(service.cards.get(alice.peerId.toString())).toBeDefined()
    expect(service.index.has(alice.peerId.toString())).toBe(true)
    expect(await pubsub.receive(message(mallory, AGENT_CARD_TOPIC, utf8ToBytes('{')))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(message(mallory, AGENT_CARD_TOPIC, await card(alice, now + 1)))).toBe(TopicValidatorResult.Reject)
    // A replay of an older card is ignored (a third party could send it), not held against the sender.
    expect(await pubsub.receive(message(alice, AGENT_CARD_TOPIC, await card(alice, now)))).toBe(TopicValidatorResult.Ignore)
    const flood = []
    for (let i = 1; i <= 10; i++) flood.push(await pubsub.receive(message(alice, AGENT_CARD_TOPIC, await card(alice, now + i))))
    expect(flood.filter(r => r === TopicValidatorResult.Reject).length).toBeGreaterThan(0)
    const stats = gossipStats(pubsub as unknown as GossipSub)[AGENT_CARD_TOPIC]!
    expect(stats.rejected).toMatchObject({ malformed: 1, 'wrong-sender': 1, flood: expect.any(Number) })
    expect(stats.ignored).toEqual({ 'replayed-sequence': 1 })
  })

  it('receipt announcements and attestations: verified ones pass; garbage and forgeries do not', async () => {
    const pubsub = new FakePubsub()
    const service = new WitnessService({
      identity: self, store: createMemoryStore<ZeroStateRecords>(), registrar, pubsub: pubsub as unknown as GossipSub, connectionTo: noConnection,
      runner: { run: async () => { throw new Error('no runs here') } }
    }, {
      isContributing: () => false, rates: () => ({ established: 0, newcomer: 0 }), standing: () => ({ score: 0.5, observations: 0 }),
      onResolved: () => {}, onConfirmed: () => {}
    })
    await service.start()
    stops.push(async () => { await service.stop() })
    const { submitter, executor } = await fixedIdentities()
    const receipt = await signedExample()
    const stdin = utf8ToBytes('a\nb\nc\n')
    const files = EXAMPLE_INPUT_FILES.map(([path, bytes]): [string, Uint8Array<ArrayBuffer>] => [path, new Uint8Array(bytes)])
    const announcement = json(encodeAnnouncement({ receipt, stdin, files }))
    expect(await pubsub.receive(message(submitter, RECEIPT_TOPIC, announcement))).toBe(TopicValidatorResult.Accept)
    // The receipt's submitter must be the one announcing it; the input must be the task's.
    expect(await pubsub.receive(message(mallory, RECEIPT_TOPIC, announcement))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(message(submitter, RECEIPT_TOPIC, json(encodeAnnouncement({ receipt, stdin: utf8ToBytes('other'), files }))))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(message(submitter, RECEIPT_TOPIC, json({ version: 1 })))).toBe(TopicValidatorResult.Reject)

    const attestation = await signAttestation({
      ...aboutReceipt(receipt), witness: alice.peerId.toString(), publicKey: bytesToBase64Url(alice.publicKey),
      verdict: verdictOf(receipt, claimedRun(receipt)), observed: claimedRun(receipt), at: Date.now()
    }, alice)
    expect(await pubsub.receive(message(alice, ATTESTATION_TOPIC, json(attestation)))).toBe(TopicValidatorResult.Accept)
    expect(await pubsub.receive(message(mallory, ATTESTATION_TOPIC, json(attestation)))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(message(alice, ATTESTATION_TOPIC, json({ ...attestation, verdict: 'disagree' })))).toBe(TopicValidatorResult.Reject)
    const stats = gossipStats(pubsub as unknown as GossipSub)
    expect(stats[RECEIPT_TOPIC]).toMatchObject({ accepted: 1, rejected: { ReceiptMismatchError: 1, TaskMaterialMismatchError: 1, InvalidAnnouncementError: 1 } })
    expect(stats[ATTESTATION_TOPIC]).toMatchObject({ accepted: 1, rejected: { AttestationKeyMismatchError: 1, AttestationSignatureError: 1 } })
    expect(executor.peerId.toString()).toBe(receipt.executor)
  })

  it('reputation reports: a report from its reporter passes and is kept; a forged one is not', async () => {
    const pubsub = new FakePubsub()
    const service = new ReportService({ identity: self, pubsub: pubsub as unknown as GossipSub })
    service.start()
    stops.push(() => { service.stop() })
    const report = await signReport({
      reporter: alice.peerId.toString(), publicKey: bytesToBase64Url(alice.publicKey), subject: mallory.peerId.toString(), outcome: 'timeout', taskId: 't1', at: Date.now()
    }, alice)
    expect(await pubsub.receive(message(alice, REPUTATION_TOPIC, json(report)))).toBe(TopicValidatorResult.Accept)
    expect(await pubsub.receive(message(mallory, REPUTATION_TOPIC, json(report)))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(message(alice, REPUTATION_TOPIC, json({ ...report, outcome: 'success' })))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(message(alice, REPUTATION_TOPIC, utf8ToBytes('[]')))).toBe(TopicValidatorResult.Reject)
    expect(service.reports()).toEqual([report])
  })

  it('settlements: a record from the party that signed it passes; one published by anyone else does not', async () => {
    const pubsub = new FakePubsub()
    const service = new PaymentService({
      identity: self, store: createMemoryStore<ZeroStateRecords>(), registrar, pubsub: pubsub as unknown as GossipSub, connectionTo: noConnection
    }, { chargeOf: () => 0 })
    await service.start()
    stops.push(async () => { await service.stop() })
    const now = Date.now()
    const opened = openChannel({ channelId: 'ch-1', a: alice.peerId.toString(), b: mallory.peerId.toString(), depositA: 1000, depositB: 0, at: now })
    const final = await cosign(await signState(proposeFinal(opened, now + 1), alice), mallory)
    const settlement = await cooperativeClose(final, now + 2, alice)
    const notice = json({ type: 'settlement', settlement })
    expect(await pubsub.receive(message(alice, SETTLEMENT_TOPIC, notice))).toBe(TopicValidatorResult.Accept)
    expect(service.heardSettlements()).toHaveLength(1)
    expect(await pubsub.receive(message(mallory, SETTLEMENT_TOPIC, notice))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(message(alice, SETTLEMENT_TOPIC, json({ type: 'settlement', settlement: { ...settlement, by: mallory.peerId.toString() } })))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(message(alice, SETTLEMENT_TOPIC, json({ type: 'closing' })))).toBe(TopicValidatorResult.Reject)
    expect(gossipStats(pubsub as unknown as GossipSub)[SETTLEMENT_TOPIC]).toMatchObject({ accepted: 1 })
    expect(Object.values(gossipStats(pubsub as unknown as GossipSub)[SETTLEMENT_TOPIC]!.rejected).reduce((a, b) => a + b, 0)).toBe(3)
  })
})
