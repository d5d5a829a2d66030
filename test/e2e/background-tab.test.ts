/**
 * Background-tab throttling as an availability class (docs/agent-card.md §11),
 * in real Chromium with a really hidden tab: a tab of a Chromium spawned
 * without Playwright (test/e2e/support/raw-chromium.ts) contributes, is put
 * behind a second tab — hidden and throttled — and measures it; the
 * submitter sees its card say `background`, a latency-sensitive task goes to
 * the foreground executor instead, an ordinary one still goes to the hidden
 * tab when it matches better or is the only one, and brought back to the
 * front it is `foreground` again.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { THROTTLED_LAG_MS } from '../../src/discovery/availability-class.ts'
import { ARTIFACTS, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'
import { submitFromForm } from './task-cards.ts'
import type { RawChromium } from './support/raw-chromium.ts'
import { runSha256On, startHiddenExecutorMesh } from './support/hidden-executor.ts'

/** The tag only the hidden tab offers: an ordinary task asking for it prefers the hidden tab. */
const HIDDEN_TAG = 'hash'

async function cardOf (page: Page, peerId: string): Promise<{ availabilityClass?: string, visible: boolean, timerLagMs?: number } | undefined> {
  return page.evaluate((id) => {
    const card = window.zerostate.cards().find(c => c.peerId === id)
    return card === undefined ? undefined : { availabilityClass: card.availabilityClass, visible: card.visible, timerLagMs: card.timerLagMs }
  }, peerId)
}

describe('a hidden, throttled tab is a background executor', () => {
  let harness: Harness
  let submitter: Peer
  let foreground: Peer
  let hidden: RawChromium | undefined
  let hiddenId: string

  beforeAll(async () => {
    ;({ harness, submitter, foreground, hidden, hiddenId } = await startHiddenExecutorMesh(HIDDEN_TAG))
    await waitForDirect(submitter.page, foreground.peerId)
    await waitForDirect(submitter.page, hiddenId)
  })

  afterAll(async () => {
    await hidden?.close()
    await harness?.close()
  })

  it('is foreground while in front, then measures its throttling when hidden, and its card says background', async () => {
    const raw = hidden!
    await expect.poll(async () => (await cardOf(submitter.page, hiddenId))?.availabilityClass, { timeout: 30_000, interval: 250 }).toBe('foreground')
    await expect.poll(async () => (await cardOf(submitter.page, foreground.peerId))?.availabilityClass, { timeout: 30_000, interval: 250 }).toBe('foreground')

    await raw.hideAppTab()
    await expect.poll(async () => raw.evaluate<string>('document.visibilityState'), { timeout: 10_000, interval: 250 }).toBe('hidden')
    // Its own measurement: the probe timer now fires about a second late (Chromium's 1 Hz alignment of a hidden page's timers).
    await expect.poll(async () => raw.evaluate<{ class: string, timerLagMs?: number }>('window.zerostate.stats().availability'), { timeout: 20_000, interval: 500 })
      .toMatchObject({ class: 'background', timerLagMs: expect.any(Number) })
    // Whether Chromium throttles the hidden page's timers right away is Chromium's choice, not the tab's: in most
    // runs the probe fired ~1000 ms late within seconds, in one CI run it stayed at ~7 ms for 20 s. What the tab
    // promises is to report what it measured (a lag in ms) and to call itself `background` once hidden, either way.
    const lag = (await raw.evaluate<{ timerLagMs?: number }>('window.zerostate.stats().availability')).timerLagMs
    expect(lag).toBeGreaterThanOrEqual(0)
    if (lag! < THROTTLED_LAG_MS) console.log(`the hidden tab's timers were not throttled (yet): lag ${lag} ms`)
    console.log('hidden tab availability:', JSON.stringify(await raw.evaluate('window.zerostate.stats().availability')))

    // The submitter hears of it: the card is republished at once on the change.
    await expect.poll(async () => (await cardOf(submitter.page, hiddenId))?.availabilityClass, { timeout: 30_000, interval: 250 }).toBe('background')
    expect((await cardOf(submitter.page, hiddenId))?.visible).toBe(false)

    await showSection(submitter.page, 'network')
    const badge = submitter.page.locator(`[data-testid="card-row"][data-peer-id="${hiddenId}"] [data-testid="card-availability"]`)
    await expect.poll(async () => badge.getAttribute('data-class'), { timeout: 10_000 }).toBe('background')
    await expect.poll(async () => submitter.page.locator(`[data-testid="card-row"][data-peer-id="${foreground.peerId}"] [data-testid="card-availability"]`).getAttribute('data-class'), { timeout: 10_000 }).toBe('foreground')
    await mkdir(ARTIFACTS, { recursive: true })
    await submitter.page.locator('[data-testid="card-row"]').first().scrollIntoViewIfNeeded()
    await submitter.page.screenshot({ path: join(ARTIFACTS, 'background-tab-network.png'), fullPage: true })
  })

  it('a latency-sensitive task avoids the hidden tab while a foreground executor is there; an ordinary one still uses it', async () => {
    // Latency-sensitive: the foreground executor, though only the hidden tab has the wanted tag.
    for (let i = 0; i < 3; i++) {
      const outcome = await runSha256On(submitter.page, { tags: [HIDDEN_TAG], latencySensitive: true }, `latency ${i}`, 30_000)
      expect(outcome.error).toBeUndefined()
      expect(outcome.executor).toBe(foreground.peerId)
    }
    // The same from the form: Submit › Advanced › Latency-sensitive.
    await showSection(submitter.page, 'submit')
    await submitter.page.getByTestId('advanced').locator('summary').click()
    await submitter.page.getByTestId('latency-sensitive').check()
    await submitter.page.getByTestId('sample-select').selectOption('sha256')
    const card = await submitFromForm(submitter.page)
    await expect.poll(async () => card.getAttribute('data-phase'), { timeout: 60_000 }).toMatch(/done|failed/)
    expect(await card.getAttribute('data-phase')).toBe('done')
    expect(await card.getByTestId('executor').locator('zs-peer-id').getAttribute('peer-id')).toBe(foreground.peerId)
    await submitter.page.getByTestId('advanced').screenshot({ path: join(ARTIFACTS, 'background-tab-latency-option.png') })

    // Ordinary: the hidden tab, the better match, serves while throttled (its libp2p and WebRTC keep working).
    const ordinary = await runSha256On(submitter.page, { tags: [HIDDEN_TAG] }, 'ordinary', 30_000)
    expect(ordinary.error).toBeUndefined()
    expect(ordinary.executor).toBe(hiddenId)
    expect(ordinary.stdout).toMatch(/^[0-9a-f]{64}/)
  })

  it('with the hidden tab the only executor, both kinds of task run there', async () => {
    await foreground.page.evaluate(async () => { await window.zerostate.contribute(false) })
    await expect.poll(async () => submitter.page.evaluate((id) => window.zerostate.peers().find(p => p.peerId === id)?.contributing, foreground.peerId),
      { timeout: 30_000, interval: 250 }).toBe(false)
    for (const requirements of [{}, { latencySensitive: true }]) {
      const outcome = await runSha256On(submitter.page, requirements, JSON.stringify(requirements), 30_000)
      expect(outcome.error).toBeUndefined()
      expect(outcome.executor).toBe(hiddenId)
    }
  })

  it('brought to the front again, it is foreground again', async () => {
    const raw = hidden!
    await raw.showAppTab()
    await expect.poll(async () => raw.evaluate<string>('document.visibilityState'), { timeout: 10_000, interval: 250 }).toBe('visible')
    await expect.poll(async () => (await raw.evaluate<{ class: string }>('window.zerostate.stats().availability')).class, { timeout: 10_000, interval: 250 }).toBe('foreground')
    // At most one change-driven card per 15 s (AVAILABILITY_REPUBLISH_MIN_MS): it may wait out the rest of that.
    await expect.poll(async () => (await cardOf(submitter.page, hiddenId))?.availabilityClass, { timeout: 45_000, interval: 500 }).toBe('foreground')
    expect((await cardOf(submitter.page, hiddenId))?.visible).toBe(true)
  })
})
