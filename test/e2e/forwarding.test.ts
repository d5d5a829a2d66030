/**
 * Hop-by-hop forwarding in real Chromium: a submitter that may keep only one
 * direct peer connection (?maxPeers=1) reaches an executor it is not
 * connected to through its one neighbour — two hops — and gets a verified
 * receipt from the executor itself, and a trace holding every hop.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, startHarness, waitForDirect, waitOnline } from './harness.ts'
import { showSection } from './sections.ts'
import type { Harness, Peer } from './harness.ts'

describe('a task forwarded over two hops', () => {
  let harness: Harness
  let left: Peer
  let right: Peer
  let submitter: Peer
  let hopPeer: Peer
  let targetPeer: Peer

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true })
    harness = await startHarness()
    left = await harness.openPeer()
    right = await harness.openPeer()
    await left.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { tags: ['left'] }) })
    await right.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { tags: ['right'] }) })
    await waitForDirect(left.page, right.peerId)
    const context = await harness.browser.newContext({ permissions: ['camera', 'microphone'] })
    const page = await context.newPage()
    await page.goto(`${harness.mesh.url}?maxPeers=1`)
    submitter = { context, page, peerId: await waitOnline(page) }
    // Both cards and presence announcements arrive (through the relay); exactly one of the two peers becomes the neighbour.
    await page.waitForFunction(() => window.zerostate.cards().length >= 2, undefined, { timeout: 90_000 })
    await page.waitForFunction(() => window.zerostate.peers().filter(p => p.contributing).length >= 2, undefined, { timeout: 90_000 })
    await page.waitForFunction(() => window.zerostate.peers().filter(p => !p.isRelay && p.transports.length > 0).length === 1, undefined, { timeout: 90_000 })
  })

  afterAll(async () => {
    await submitter?.context.close()
    await harness?.close()
  })

  it('keeps one direct peer connection, and runs a task on the other peer via it', async () => {
    const neighbours = await submitter.page.evaluate(() => window.zerostate.peers().filter(p => !p.isRelay && p.transports.length > 0).map(p => p.peerId))
    expect(neighbours).toHaveLength(1)
    const [target, tag] = neighbours[0] === left.peerId ? [right, 'right'] : [left, 'left']
    const outcome = await submitter.page.evaluate(async (tag) => {
      const result = await window.zerostate.submit({ module: 'samples/sha256.wasm', stdin: 'forwarded', requirements: { tags: [tag] } })
      return { executor: result.executor, receipt: result.receipt, stdout: new TextDecoder().decode(result.stdout).trim() }
    }, tag)
    expect(outcome.executor).toBe(target.peerId)
    expect(outcome.receipt.executor).toBe(target.peerId)
    expect(outcome.receipt.submitter).toBe(submitter.peerId)
    expect(outcome.stdout).toMatch(/^[0-9a-f]{64}$/)
    // The card follows the view, which redraws up to ten times a second.
    await expect.poll(async () => submitter.page.getByTestId('task-card').first().getByTestId('selection').textContent()).toMatch(/forwarded via/)
    // Still one direct peer connection: the executor was reached without dialling it.
    const after = await submitter.page.evaluate(() => window.zerostate.peers().filter(p => !p.isRelay && p.transports.length > 0).length)
    expect(after).toBe(1)
    // The hop learnt how long reaching the target takes through it.
    const hop = neighbours[0] === left.peerId ? left : right
    expect(await hop.page.evaluate(() => window.zerostate.routing().destinations)).toContain(target.peerId)
    hopPeer = hop
    targetPeer = target

    // Its trace holds every hop (docs/tracing.md §6): the hop's `forward hop` came back in a trailer, under one trace id.
    const taskId = outcome.receipt.taskId
    await expect.poll(async () => submitter.page.evaluate((id) => window.zerostate.trace(id)?.spans.some(span => span.name === 'task'), taskId),
      { timeout: 15_000 }).toBe(true)
    const trace = (await submitter.page.evaluate((id) => window.zerostate.trace(id), taskId))!
    expect(outcome.receipt.traceId).toBe(trace.traceId)
    expect(new Set(trace.spans.map(span => span.traceId))).toEqual(new Set([trace.traceId]))
    expect(new Set(trace.spans.map(span => span.peer))).toEqual(new Set([submitter.peerId, hop.peerId, target.peerId]))
    const find = (peer: string, name: string) => trace.spans.find(span => span.peer === peer && span.name === name)
    const forward = find(submitter.peerId, 'forward')!
    const hopSpan = find(hop.peerId, 'forward hop')!
    expect(hopSpan.parentId).toBe(forward.spanId)
    expect(hopSpan.attributes['zerostate.next']).toBe(target.peerId)
    expect(find(target.peerId, 'execute')?.parentId).toBe(find(submitter.peerId, 'submit')!.spanId)
    const card = submitter.page.locator(`[data-testid="task-card"][data-task-id="${taskId}"]`)
    const drawn = card.getByTestId('task-trace')
    await expect.poll(async () => drawn.getAttribute('data-trace-id'), { timeout: 10_000 }).toBe(trace.traceId)
    // The trace disclosure is closed until opened (as a click on its summary would); then the hop's row is drawn.
    await drawn.evaluate(element => { (element as HTMLDetailsElement).open = true })
    await expect.poll(async () => card.locator(`[data-testid="trace-span"][data-peer="${hop.peerId}"][data-name="forward hop"]`).count(), { timeout: 10_000 })
      .toBe(1)
    await showSection(submitter.page, 'submit')
    await drawn.scrollIntoViewIfNeeded()
    await drawn.screenshot({ path: join(ARTIFACTS, 'forwarded-trace.png') })
  })

  it('seeds a newcomer\'s routing table from its neighbours\' estimates when they connect', async () => {
    const newcomer = await harness.openPeer()
    await waitForDirect(newcomer.page, hopPeer.peerId)
    await newcomer.page.waitForFunction(
      (target) => window.zerostate.routing().destinations.includes(target),
      targetPeer.peerId,
      { timeout: 30_000 }
    )
  })
})
