/**
 * Agent Cards and selection in real Chromium: four peers, two of them
 * specialised; tasks that ask for a skill go to the specialist that has it,
 * and the choice is explained.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'

async function submitWith (page: Page, tags: string[]): Promise<{ executor: string, selection?: string }> {
  return page.evaluate(async (tags) => {
    const result = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin: 'hi', requirements: { tags } })
    return { executor: result.executor }
  }, tags)
}

describe('discovery: signed Agent Cards steer tasks to the right specialist', () => {
  let harness: Harness
  let submitter: Peer
  let nlp: Peer
  let crypto: Peer
  let generalist: Peer

  beforeAll(async () => {
    harness = await startHarness()
    nlp = await harness.openPeer()
    crypto = await harness.openPeer()
    generalist = await harness.openPeer()
    submitter = await harness.openPeer()
    await nlp.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { tags: ['nlp', 'text'] }) })
    await crypto.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { tags: ['crypto', 'hashing'] }) })
    await generalist.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
    for (const peer of [nlp, crypto, generalist]) await waitForDirect(submitter.page, peer.peerId)
    // Every contributing peer's card has reached the submitter.
    await submitter.page.waitForFunction(() => window.zerostate.cards().length >= 3, undefined, { timeout: 30_000 })
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('shows each contributing peer\'s verified card with its tags', async () => {
    const cards = await submitter.page.evaluate(() => window.zerostate.cards())
    expect(cards.find(card => card.peerId === nlp.peerId)?.tags).toEqual(['nlp', 'text'])
    expect(cards.find(card => card.peerId === crypto.peerId)?.tags).toEqual(['crypto', 'hashing'])
  })

  it('sends tasks that ask for a skill to the specialist that has it, every time', async () => {
    for (let i = 0; i < 4; i++) {
      expect((await submitWith(submitter.page, ['nlp'])).executor).toBe(nlp.peerId)
      expect((await submitWith(submitter.page, ['crypto'])).executor).toBe(crypto.peerId)
    }
    const card = submitter.page.getByTestId('task-card').first()
    await expect.poll(async () => card.getAttribute('data-phase')).toBe('done')
  })

  it('learns a routing table from the tasks it sent', async () => {
    const routing = await submitter.page.evaluate(() => window.zerostate.routing())
    expect(routing.destinations).toEqual(expect.arrayContaining(['tag:nlp', 'tag:crypto']))
    expect(routing.peers).toEqual(expect.arrayContaining([nlp.peerId, crypto.peerId]))
    // Good work raises the executors' reputation above neutral.
    const cards = await submitter.page.evaluate(() => window.zerostate.cards())
    expect(cards.find(card => card.peerId === nlp.peerId)?.reputation).toBeGreaterThan(0.5)
  })

  it('refuses a request nobody can meet with a clear error', async () => {
    const error = await submitter.page.evaluate(async () => {
      try {
        await window.zerostate.submit({ module: 'samples/echo.wasm', requirements: { tags: ['quantum'], minWorkerSlots: 64 } })
        return null
      } catch (err) {
        return (err as Error).name
      }
    })
    expect(error).toBe('NoExecutorError')
  })
})
