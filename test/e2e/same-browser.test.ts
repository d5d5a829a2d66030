/**
 * Two tabs of one browser profile share IndexedDB; each must still be a peer
 * of its own (src/app/peer-slot.ts): distinct PeerIds, each kept across its
 * own reloads, able to run tasks for each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startHarness, waitForDirect, waitOnline } from './harness.ts'
import type { Harness, Peer } from './harness.ts'

describe('two tabs of the same browser profile', () => {
  let harness: Harness
  let first: Peer
  let second: Page
  let secondId: string

  beforeAll(async () => {
    harness = await startHarness()
    first = await harness.openPeer()
    // A second tab in the same context: the same profile, the same IndexedDB.
    second = await first.context.newPage()
    await second.goto(harness.mesh.url)
    secondId = await waitOnline(second)
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('are two peers with their own PeerIds', () => {
    expect(secondId).not.toBe(first.peerId)
  })

  it('each keeps its PeerId across its reload', async () => {
    await second.reload()
    expect(await waitOnline(second)).toBe(secondId)
    await first.page.reload()
    expect(await waitOnline(first.page)).toBe(first.peerId)
  })

  it('run tasks for each other', async () => {
    await first.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
    await waitForDirect(second, first.peerId, 90_000)
    const result = await second.evaluate(async (executor) => {
      const r = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin: 'same browser', executor })
      return { stdout: new TextDecoder().decode(r.stdout), executor: r.executor, submitter: r.receipt.submitter }
    }, first.peerId)
    expect(result).toEqual({ stdout: 'same browser', executor: first.peerId, submitter: secondId })
  })
})
