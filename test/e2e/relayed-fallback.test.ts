import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness } from './harness.ts'
import type { Harness, Peer } from './harness.ts'

/** Makes every WebRTC peer connection in the page fail, as a restrictive network would. */
const BLOCK_WEBRTC = `
  window.webrtcAttempts = 0
  window.RTCPeerConnection = class {
    constructor () {
      window.webrtcAttempts++
      throw new DOMException('WebRTC blocked by the test', 'NotAllowedError')
    }
  }
`

describe('when WebRTC cannot connect, tasks fall back to the relayed path', () => {
  let harness: Harness
  let submitter: Peer
  let executor: Peer

  beforeAll(async () => {
    harness = await startHarness()
    executor = await harness.openPeer({ initScript: BLOCK_WEBRTC })
    submitter = await harness.openPeer()
    await executor.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('runs a task over a relayed connection and keeps retrying the upgrade', async () => {
    const result = await submitter.page.evaluate(async () => {
      const r = await window.zerostate.submit({ module: 'samples/sha256.wasm', stdin: 'relayed', timeoutMs: 20_000 })
      return { stdout: new TextDecoder().decode(r.stdout).trim(), executor: r.executor }
    })
    expect(result.executor).toBe(executor.peerId)
    expect(result.stdout).toBe(createHash('sha256').update('relayed').digest('hex'))
    const transports = await submitter.page.evaluate((id) => window.zerostate.peers().find(p => p.peerId === id)?.transports, executor.peerId)
    expect(transports).toContain('relayed')
    expect(transports).not.toContain('webrtc')

    // Each upgrade attempt, from either side, builds a peer connection in the executor's page.
    const attempts = async (): Promise<number> => executor.page.evaluate(() => (window as unknown as { webrtcAttempts: number }).webrtcAttempts)
    const before = await attempts()
    await expect.poll(attempts, { timeout: 15_000, interval: 500 }).toBeGreaterThan(before)
  })
})
