/**
 * Fake presence in real Chromium. A Node attacker reaches tab A through the
 * relay and, over that one connection, announces identities that have no
 * node behind them: eight of them every second for 25 s, each with 16
 * WebRTC circuit addresses, then 400 more at once. Tab A must not spend its
 * per-tab-life WebRTC budget on them nor let its directory grow without
 * bound — and a real tab that arrives afterwards still connects to A
 * directly over WebRTC and runs A's task.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIdentity } from '../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'
import { PRESENCE_TOPIC } from '../../src/network/presence/constants.ts'
import { encodePresence } from '../../src/network/presence/index.ts'
import { startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { signedRpcMessage, startGossipAttacker } from './hostile-attacker.ts'
import type { GossipAttacker } from './hostile-attacker.ts'
import type { RPC } from '@libp2p/gossipsub/message'

const FAKES = 8
const ADDRS_PER_ANNOUNCEMENT = 16
const FLOOD_MS = 25_000
const BURST_IDENTITIES = 400

describe('fake presence does not cut a tab off from new peers', () => {
  let harness: Harness
  let a: Peer
  let attacker: GossipAttacker
  let relayAddr: string

  beforeAll(async () => {
    harness = await startHarness()
    relayAddr = harness.mesh.relayAddrs[0]!
    a = await harness.openPeer()
    attacker = await startGossipAttacker(relayAddr, a.peerId)
  })

  afterAll(async () => {
    await attacker?.stop()
    await harness?.close()
  })

  const announcement = async (fake: PeerIdentity, addrs = ADDRS_PER_ANNOUNCEMENT): Promise<RPC.Message> => {
    const addr = `${relayAddr}/p2p-circuit/webrtc/p2p/${fake.peerId.toString()}`
    return signedRpcMessage(fake, PRESENCE_TOPIC, encodePresence(Array.from({ length: addrs }, () => addr), true, 4, Date.now()))
  }
  const heard = async (): Promise<number> => {
    const presence = (await a.page.evaluate(() => window.zerostate.stats())).gossip[PRESENCE_TOPIC]
    const dropped = (counts: Record<string, number> | undefined): number => Object.values(counts ?? {}).reduce((x, y) => x + y, 0)
    return (presence?.accepted ?? 0) + dropped(presence?.rejected) + dropped(presence?.ignored)
  }

  it('floods tab A with announcements of identities nobody runs', async () => {
    const fakes = await Promise.all(Array.from({ length: FAKES }, async () => createIdentity()))
    const before = await heard()
    let sent = 0
    for (const end = Date.now() + FLOOD_MS; Date.now() < end;) {
      // 8 announcements of 16 addresses are ~20 KiB: a fresh circuit every 5 s stays within the relay's 128 KiB.
      if (sent % (FAKES * 5) === 0) await attacker.fresh()
      await attacker.send(await Promise.all(fakes.map(async fake => announcement(fake))))
      sent += fakes.length
      await new Promise(resolve => setTimeout(resolve, 1000))
    }
    const burst = await Promise.all(Array.from({ length: BURST_IDENTITIES }, async () => createIdentity()))
    for (let i = 0; i < burst.length; i += 100) {
      await attacker.fresh()
      await attacker.send(await Promise.all(burst.slice(i, i + 100).map(async fake => announcement(fake, 1))))
      sent += 100
    }
    expect(sent).toBeGreaterThan(FAKES * 20 + BURST_IDENTITIES)
    // The flood did reach tab A (all but what a closing circuit may have cut).
    await expect.poll(async () => (await heard()) - before, { timeout: 10_000 }).toBeGreaterThanOrEqual(sent * 0.9)
    const stats = await a.page.evaluate(() => window.zerostate.stats())
    console.log('tab A after the flood:', JSON.stringify({ sent, mesh: stats.mesh, presence: stats.gossip[PRESENCE_TOPIC] }))
  })

  it('lets a real tab that arrives afterwards connect directly and run a task', async () => {
    const b = await harness.openPeer()
    await b.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
    await waitForDirect(a.page, b.peerId, 60_000)
    const result = await a.page.evaluate(async (executor) => {
      const r = await window.zerostate.submit({ module: 'samples/sha256.wasm', stdin: 'after the flood', executor, timeoutMs: 20_000 })
      return { stdout: new TextDecoder().decode(r.stdout).trim(), executor: r.executor }
    }, b.peerId)
    expect(result.executor).toBe(b.peerId)
    expect(result.stdout).toBe(createHash('sha256').update('after the flood').digest('hex'))
  })

  it('spent (almost) none of its WebRTC budget on the fakes and kept its directory bounded', async () => {
    const stats = await a.page.evaluate(() => window.zerostate.stats())
    console.log('tab A at the end:', JSON.stringify(stats.mesh))
    // The real tab B needs one or two dials; not one of the fakes ever reached a WebRTC dial.
    expect(stats.mesh.webrtcDials).toBeLessThanOrEqual(4)
    expect(stats.mesh.directory.size).toBeLessThanOrEqual(stats.mesh.directory.max)
    expect(stats.mesh.directory.unproven).toBeLessThanOrEqual(stats.mesh.directory.maxUnproven)
    expect(stats.mesh.probes.failed).toBeGreaterThan(0)
  })
})
