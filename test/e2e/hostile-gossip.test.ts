/**
 * Junk gossip stops at the first tab, in real Chromium. Tabs A and B are
 * directly connected; a Node attacker reaches A alone (through the relay)
 * and writes raw gossipsub messages on every topic: garbage, forgeries
 * (signed by one identity, sent by another), oversized ones and floods of
 * valid ones from one identity. A must validate each before forwarding:
 * B — the third party — never sees the junk (none reaches its services,
 * which would log it, nor its own validators, which would count it), at most
 * the allowed rate of a flood gets through, and A's counters show it all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url, utf8ToBytes } from '../../src/core/index.ts'
import { createIdentity } from '../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'
import { AGENT_CARD_TOPIC } from '../../src/discovery/constants.ts'
import { signAgentCard } from '../../src/discovery/index.ts'
import { SETTLEMENT_TOPIC } from '../../src/economy/payments/constants.ts'
import { PRESENCE_TOPIC } from '../../src/network/presence/constants.ts'
import { encodePresence } from '../../src/network/presence/index.ts'
import { REPUTATION_TOPIC } from '../../src/trust/reputation/constants.ts'
import { signReport } from '../../src/trust/reputation/index.ts'
import { ATTESTATION_TOPIC, RECEIPT_TOPIC } from '../../src/trust/witness/constants.ts'
import { exampleFields } from '../unit/discovery/fixtures.ts'
import { startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { signedRpcMessage, startGossipAttacker } from './hostile-attacker.ts'
import type { GossipAttacker } from './hostile-attacker.ts'

const TOPICS = [PRESENCE_TOPIC, AGENT_CARD_TOPIC, RECEIPT_TOPIC, ATTESTATION_TOPIC, REPUTATION_TOPIC, SETTLEMENT_TOPIC]
/** What a tab's services log when a gossip message reaches them and fails their checks (today's symptom on B). */
const REFUSAL = /refused|not checked|could not be taken in|dropped/i
const FLOOD = 40

const json = (value: unknown): Uint8Array => utf8ToBytes(JSON.stringify(value))
const junk = (bytes: number, fill = 0x7b): Uint8Array => new Uint8Array(bytes).fill(fill)
const total = (counts: Record<string, number> | undefined): number => Object.values(counts ?? {}).reduce((a, b) => a + b, 0)

describe('tabs validate gossip before forwarding it', () => {
  let harness: Harness
  let a: Peer
  let b: Peer
  let attacker: GossipAttacker
  let mallory: PeerIdentity
  let victim: PeerIdentity
  const bRefusals: string[] = []

  beforeAll(async () => {
    harness = await startHarness()
    a = await harness.openPeer()
    b = await harness.openPeer()
    b.page.on('console', msg => { if (REFUSAL.test(msg.text())) bRefusals.push(msg.text()) })
    await Promise.all([a, b].map(async p => p.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })))
    await waitForDirect(a.page, b.peerId)
    await waitForDirect(b.page, a.peerId)
    await b.page.waitForFunction((id) => window.zerostate.cards().some(c => c.peerId === id), a.peerId, { timeout: 30_000 })
    // Let gossipsub graft A and B into each other's mesh on every topic (heartbeat 1 s).
    await new Promise(resolve => setTimeout(resolve, 3000))
    mallory = await createIdentity()
    victim = await createIdentity()
    attacker = await startGossipAttacker(harness.mesh.relayAddrs[0]!, a.peerId)
  })

  afterAll(async () => {
    await attacker?.stop()
    await harness?.close()
  })

  it('sends A junk, forgeries, oversized messages and floods on every topic', async () => {
    const now = Date.now()
    const report = async (author: PeerIdentity, i: number): Promise<Uint8Array> => json(await signReport({
      reporter: author.peerId.toString(), publicKey: bytesToBase64Url(author.publicKey), subject: b.peerId, outcome: 'timeout', taskId: `t${i}`, at: now
    }, author))
    const card = async (author: PeerIdentity, sequence: number): Promise<Uint8Array> =>
      json(await signAgentCard(exampleFields(author, { issuedAt: now, expiresAt: now + 60_000, sequence }), author))
    const batches = [
      // Presence: not protobuf, over 4 KiB, and one identity announcing far faster than every 5 s.
      [await signedRpcMessage(mallory, PRESENCE_TOPIC, junk(64, 0xff)),
        await signedRpcMessage(mallory, PRESENCE_TOPIC, junk(5000, 0x0a))],
      await Promise.all(Array.from({ length: FLOOD }, async (_, i) => signedRpcMessage(victim, PRESENCE_TOPIC, encodePresence([], false, 0, now + i)))),
      // Agent Cards: not JSON, another peer's card, over the limit, and a flood of valid cards.
      [await signedRpcMessage(mallory, AGENT_CARD_TOPIC, utf8ToBytes('not json')),
        await signedRpcMessage(mallory, AGENT_CARD_TOPIC, await card(victim, now)),
        await signedRpcMessage(mallory, AGENT_CARD_TOPIC, junk(20_000))],
      await Promise.all(Array.from({ length: 20 }, async (_, i) => signedRpcMessage(victim, AGENT_CARD_TOPIC, await card(victim, now + 1 + i)))),
      // Receipt announcements: garbage, and an announcement whose receipt is no receipt.
      [await signedRpcMessage(mallory, RECEIPT_TOPIC, utf8ToBytes('{"version":1')),
        await signedRpcMessage(mallory, RECEIPT_TOPIC, json({ version: 1, receipt: { taskId: 'x' }, stdin: '', files: [] }))],
      // Attestations: garbage and over 2 KiB.
      [await signedRpcMessage(mallory, ATTESTATION_TOPIC, json({ verdict: 'disagree' })),
        await signedRpcMessage(mallory, ATTESTATION_TOPIC, junk(3000))],
      // Reputation: garbage, a report by the victim sent by mallory, over 1 KiB, and a flood of valid reports.
      [await signedRpcMessage(mallory, REPUTATION_TOPIC, json([])),
        await signedRpcMessage(mallory, REPUTATION_TOPIC, await report(victim, 0)),
        await signedRpcMessage(mallory, REPUTATION_TOPIC, junk(2000))],
      await Promise.all(Array.from({ length: FLOOD }, async (_, i) => signedRpcMessage(victim, REPUTATION_TOPIC, await report(victim, i + 1)))),
      // Settlements: garbage, a settlement that is none, over 8 KiB.
      [await signedRpcMessage(mallory, SETTLEMENT_TOPIC, json({ type: 'closing' })),
        await signedRpcMessage(mallory, SETTLEMENT_TOPIC, json({ type: 'settlement', settlement: { channelId: 'c' } })),
        await signedRpcMessage(mallory, SETTLEMENT_TOPIC, junk(9000))]
    ]
    for (const batch of batches) await attacker.send(batch)
    // Enough for A to validate and (wrongly) forward, and for B to react.
    await new Promise(resolve => setTimeout(resolve, 3000))
  })

  it('never lets any of it reach the third tab', async () => {
    expect(bRefusals).toEqual([])
    const bStats = await b.page.evaluate(() => window.zerostate.stats())
    for (const topic of TOPICS) {
      expect(total(bStats.gossip[topic]?.rejected), `rejected by B on ${topic}`).toBe(0)
    }
  })

  it('passes on no more of a flood than the rate allows, and still passes on valid messages', async () => {
    const [aStats, bStats] = await Promise.all([a, b].map(async p => p.page.evaluate(() => window.zerostate.stats())))
    const reports = (await b.page.evaluate(async () => (await window.zerostate.ledger()).reports)).filter(r => r.reporter === victim.peerId.toString())
    expect(reports.length).toBeGreaterThan(0)
    expect(reports.length).toBeLessThan(FLOOD)
    expect(reports.length).toBeLessThanOrEqual(aStats!.gossip[REPUTATION_TOPIC]!.accepted)
    expect(bStats!.gossip[REPUTATION_TOPIC]!.accepted).toBeLessThan(FLOOD)
  })

  it('counts what it dropped, per topic and reason', async () => {
    const stats = await a.page.evaluate(() => window.zerostate.stats())
    console.log('tab A gossip counters:', JSON.stringify(stats.gossip, null, 1))
    for (const topic of TOPICS) {
      expect(total(stats.gossip[topic]?.rejected), `rejected by A on ${topic}`).toBeGreaterThan(0)
    }
    for (const topic of [PRESENCE_TOPIC, AGENT_CARD_TOPIC, ATTESTATION_TOPIC, REPUTATION_TOPIC, SETTLEMENT_TOPIC]) {
      expect(stats.gossip[topic]?.rejected.oversized, `oversized on ${topic}`).toBeGreaterThan(0)
    }
    for (const topic of [PRESENCE_TOPIC, AGENT_CARD_TOPIC, REPUTATION_TOPIC]) {
      expect(stats.gossip[topic]?.rejected.flood, `flood on ${topic}`).toBeGreaterThan(0)
    }
    // The Network view shows the same counters.
    const rejectedCell = a.page.locator(`[data-testid="gossip-row"][data-topic="${REPUTATION_TOPIC}"] td[data-label="Rejected"]`)
    await expect.poll(async () => Number(await rejectedCell.textContent()), { timeout: 10_000 }).toBeGreaterThan(0)
  })
})
