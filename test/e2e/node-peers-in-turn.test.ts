/**
 * A tab meets Node peers one after another, as a long-lived tab meets
 * contributors that come and go: each new one is heard of through the relay,
 * reached over a direct WebRTC connection, and runs the tab's first task at
 * once. Before session 15 the 13th and later were never heard of: every peer
 * met through a relay shows the relay's address, and gossipsub's IP
 * colocation penalty (network/constants.ts GOSSIP_IP_COLOCATION_WEIGHT)
 * scored the relay itself below the gossip threshold.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { spawnContributor } from './contribute-process.ts'

/** More than the dozen after which the tab stopped hearing its relay. */
const NODE_PEERS = 15

describe('a tab that meets Node peers one after another', () => {
  let harness: Harness
  let tab: Peer

  beforeAll(async () => {
    harness = await startHarness()
    tab = await harness.openPeer()
  }, 120_000)

  afterAll(async () => {
    await harness?.close()
  })

  it(`hears of each of ${NODE_PEERS}, connects directly and runs its first task there`, async () => {
    const outputs: string[] = []
    for (let i = 0; i < NODE_PEERS; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'zerostate-in-turn-'))
      const node = spawnContributor(harness.mesh.url, dir, [])
      try {
        const peerId = (await node.next('online')).peerId!
        await waitForDirect(tab.page, peerId, 30_000)
        const result = await tab.page.evaluate(async ({ executor, stdin }) => {
          const { stdout, receipt } = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin, executor })
          return { stdout: new TextDecoder().decode(stdout), executor: receipt.executor }
        }, { executor: peerId, stdin: `task ${i}` })
        expect(result.executor).toBe(peerId)
        outputs.push(result.stdout)
      } finally {
        // Gracefully, as a contributor that stops: its connections close, and the next one comes.
        node.kill('SIGINT')
        await node.exited
        await rm(dir, { recursive: true, force: true })
      }
    }
    expect(outputs).toEqual(Array.from({ length: NODE_PEERS }, (_, i) => `task ${i}`))
  }, 300_000)
})
