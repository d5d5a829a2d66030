/**
 * A Node peer on the mesh: `zerostate contribute` spawned as a user would
 * (its own process, JSON Lines on stdout) joins through the harness's relay,
 * learnt from the app server's /config.json as a tab learns it, and runs
 * tasks for a Chromium tab over a direct WebRTC connection (@libp2p/webrtc on
 * node-datachannel in Node) at its asking price; the tab verifies each
 * receipt as signed by the Node peer and pays it over a payment channel. SIGINT stops it gracefully (exit 0); its state — identity and
 * receipts — is in its directory (node:sqlite), found again by the next
 * start, and a second process on the same directory is refused.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import type { ReceiptPaymentRecord } from '../../src/economy/payments/index.ts'
import { spawnContributor } from './contribute-process.ts'
import type { Contributor } from './contribute-process.ts'

/** `zerostate contribute` asking 10 µ per 10⁶ fuel. */
function contribute (server: string, dir: string): Contributor {
  return spawnContributor(server, dir, ['--price-fuel', '10'])
}

describe('a Node peer contributing to the mesh', () => {
  let harness: Harness
  let tab: Peer
  let dir: string
  let node: Contributor
  let nodePeerId: string

  beforeAll(async () => {
    harness = await startHarness()
    dir = await mkdtemp(join(tmpdir(), 'zerostate-node-peer-'))
    node = contribute(harness.mesh.url, dir)
    tab = await harness.openPeer()
  }, 120_000)

  afterAll(async () => {
    node?.kill('SIGKILL')
    await harness?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('runs a tab\'s tasks over a direct WebRTC connection, each receipt signed by the Node peer', async () => {
    nodePeerId = (await node.next('online')).peerId!
    expect(nodePeerId).toMatch(/^12D3KooW/)
    await waitForDirect(tab.page, nodePeerId)
    const results = await tab.page.evaluate(async executor => {
      const out = []
      for (const stdin of ['hello from a tab', 'second']) {
        const result = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin, executor })
        out.push({ stdout: new TextDecoder().decode(result.stdout), executor: result.receipt.executor, taskId: result.receipt.taskId })
      }
      // A real workload: a 150 KiB module sent over the data channel, and its answer.
      const detected = await window.zerostate.submit({ module: 'samples/lang-detect.wasm', stdin: 'Hallo Welt, wie geht es dir heute?', args: ['--top', '1'], executor })
      out.push({ stdout: new TextDecoder().decode(detected.stdout), executor: detected.receipt.executor, taskId: detected.receipt.taskId })
      return { out, transports: window.zerostate.peers().find(p => p.peerId === executor)?.transports ?? [] }
    }, nodePeerId)
    expect(results.out.slice(0, 2).map(r => r.stdout)).toEqual(['hello from a tab', 'second'])
    expect(JSON.parse(results.out[2]!.stdout)).toMatchObject({ language: 'deu' })
    expect(results.out.every(r => r.executor === nodePeerId)).toBe(true)
    expect(results.transports).toContain('webrtc')
    // The Node peer reports each task it ran, for this tab.
    await expect.poll(() => node.events.filter(e => e.event === 'executed').map(e => e.taskId)).toEqual(results.out.map(r => r.taskId))
    expect(node.events.filter(e => e.event === 'executed').every(e => e.submitter === tab.peerId && e.status === 'ok')).toBe(true)
    // Its asking price is on its Agent Card and in each receipt; the tab pays it over a payment channel, once a task.
    expect(node.events.filter(e => e.event === 'executed').every(e => (e.charge ?? 0) > 0)).toBe(true)
    await expect.poll(async () => tab.page.evaluate(async id => (await window.zerostate.ledger()).payments
      .filter((p): p is ReceiptPaymentRecord => p.direction === 'out' && p.kind === 'payment' && p.receipt.executor === id).map(p => p.receipt.taskId), nodePeerId), { timeout: 30_000 })
      .toEqual(expect.arrayContaining(results.out.map(r => r.taskId)))
  }, 120_000)

  it('refuses a second process on the same directory', async () => {
    const second = contribute(harness.mesh.url, dir)
    expect(await second.exited).toBe(1)
    expect(second.stderr()).toMatch(/in use by process \d+/)
  }, 60_000)

  it('stops gracefully on SIGINT, and starts again from its directory as the same peer', async () => {
    node.kill('SIGINT')
    expect(await node.exited).toBe(0)
    expect(node.events.map(e => e.event)).toEqual(expect.arrayContaining(['stopping', 'stopped']))
    node = contribute(harness.mesh.url, dir)
    expect((await node.next('online')).peerId).toBe(nodePeerId)
    node.kill('SIGTERM')
    expect(await node.exited).toBe(0)
  }, 90_000)
})
