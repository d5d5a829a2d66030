/**
 * Several relays in one mesh (issue 16): three relays that peer with each
 * other (src/server/relay-peering.ts); tab A attached to relay 1 only, tab B
 * to relay 3 only (`?relays=`, src/app/page-config.ts). Each hears the other's
 * presence and Agent Card — gossip that can only have crossed between relays
 * — dials the other through the relay the other announced, upgrades to
 * WebRTC, and B runs a task on A.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseRelays } from '../../src/network/relay-choice.ts'
import { ARTIFACTS, startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'

const relayId = (addr: string): string => addr.slice(addr.lastIndexOf('/p2p/') + '/p2p/'.length)

describe('three relays: tabs attached to different relays find each other', () => {
  let harness: Harness
  let a: Peer
  let b: Peer
  let relayIds: string[]

  beforeAll(async () => {
    harness = await startHarness({ relays: 3 })
    relayIds = harness.mesh.relays.map(relay => relay.node.peerId.toString())
  }, 60_000)

  afterAll(async () => {
    await harness?.close()
  })

  it('peers the relays with each other', async () => {
    expect(harness.mesh.relayAddrs.map(relayId)).toEqual(relayIds)
    await expect.poll(() => harness.mesh.relays.every(relay => relay.relayPeers().length === 2 && relay.relayPeers().every(p => p.connected)),
      { timeout: 15_000 }).toBe(true)
  })

  it('attaches tab A to relay 1 only and tab B to relay 3 only', async () => {
    a = await harness.openPeer({ query: '?relays=0' })
    await a.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { witnessRates: { established: 0, newcomer: 0 } }) })
    b = await harness.openPeer({ query: '?relays=2' })
    const links = async (peer: Peer): Promise<Array<{ peerId: string, reserved: boolean }>> =>
      peer.page.evaluate(() => window.zerostate.stats().connectivity.relays.map(r => ({ peerId: r.peerId, reserved: r.reserved })))
    await expect.poll(async () => links(a), { timeout: 30_000 }).toEqual([{ peerId: relayIds[0], reserved: true }])
    await expect.poll(async () => links(b), { timeout: 30_000 }).toEqual([{ peerId: relayIds[2], reserved: true }])
  })

  it('lets each hear the other\'s presence and Agent Card across the relays', async () => {
    // A contributes: B learns it from A's presence (and A's card), which only relay 1 took from A.
    await expect.poll(async () => b.page.evaluate((id) => window.zerostate.peers().find(p => p.peerId === id)?.contributing ?? false, a.peerId),
      { timeout: 30_000 }).toBe(true)
    await expect.poll(async () => b.page.evaluate((id) => window.zerostate.cards().some(c => c.peerId === id), a.peerId),
      { timeout: 60_000 }).toBe(true)
    await expect.poll(async () => a.page.evaluate((id) => window.zerostate.peers().some(p => p.peerId === id), b.peerId),
      { timeout: 30_000 }).toBe(true)
    // What relay 3 forwarded to B of A's gossip it validated first, as relay 1 did.
    for (const relay of [harness.mesh.relays[0], harness.mesh.relays[2]]) {
      expect(relay?.stats().gossip.accepted['/zerostate/presence/1.0.0'] ?? 0).toBeGreaterThan(0)
    }
  })

  it('connects A and B directly, the dialler having gone through the other\'s relay', async () => {
    await waitForDirect(b.page, a.peerId, 60_000)
    await waitForDirect(a.page, b.peerId, 60_000)
    // Whoever dialled opened a connection to the other's relay: B to relay 1, or A to relay 3.
    const relaysOf = async (peer: Peer): Promise<string[]> =>
      peer.page.evaluate(() => window.zerostate.peers().filter(p => p.isRelay && p.transports.includes('websocket')).map(p => p.peerId))
    const bRelays = await relaysOf(b)
    const aRelays = await relaysOf(a)
    expect(bRelays.includes(relayIds[0] as string) || aRelays.includes(relayIds[2] as string)).toBe(true)
    // Neither attached to relay 2, and neither went through it.
    expect([...aRelays, ...bRelays]).not.toContain(relayIds[1])
  })

  it('attaches a tab given no choice to 2 of the 3 relays, the ones its PeerId hashes to, and it meets A', async () => {
    const c = await harness.openPeer()
    const expected = chooseRelays(harness.mesh.relayAddrs, c.peerId, 2).map(relayId)
    await expect.poll(async () => c.page.evaluate(() => window.zerostate.stats().connectivity.relays.map(r => r.peerId)), { timeout: 30_000 })
      .toEqual(expected)
    await expect.poll(async () => c.page.evaluate(() => window.zerostate.stats().connectivity.relays.some(r => r.reserved)), { timeout: 30_000 })
      .toBe(true)
    await waitForDirect(c.page, a.peerId, 60_000)
    await c.context.close()
  })

  it('runs a task submitted in B on A', async () => {
    const outcome = await b.page.evaluate(async () => {
      const result = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin: 'across three relays', timeoutMs: 30_000 })
      return { stdout: new TextDecoder().decode(result.stdout), executor: result.executor }
    })
    expect(outcome).toEqual({ stdout: 'across three relays', executor: a.peerId })
    await mkdir(ARTIFACTS, { recursive: true })
    await showSection(b.page, 'network')
    await b.page.screenshot({ path: join(ARTIFACTS, 'three-relays-tab-b-network.png'), fullPage: true })
  })
})
