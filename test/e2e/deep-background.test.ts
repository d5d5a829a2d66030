/**
 * A tab hidden past Chromium's intensive wake-up throttling grace period
 * (https://chromestatus.com/feature/4718288976216064): its chained timers
 * wake once a minute, on the minute. Chromium spares a page that holds an
 * RTCPeerConnection (it registers DisableAggressiveThrottling), not one with
 * only WebSockets, so the tab here has WebRTC taken away: every connection
 * it has is relayed, as behind a network where WebRTC cannot connect. The
 * grace period (five minutes for a page still loading, a fixed minute for
 * one that has painted) is cut to 10 s by a switch, the tab kept from
 * painting so that the switch applies (test/e2e/support/raw-chromium.ts
 * INTENSIVE_THROTTLING_SOON_ARGS, NO_CONTENTFUL_PAINT).
 *
 * What a user of the mesh should see: the hidden tab says how late its
 * timers are (about a minute, as soon as it is); its presence does not lapse
 * at the submitter although its announcement timer fires once a minute (it
 * announces when it hears another peer's, a network event); a task sent to
 * it runs; a latency-sensitive one goes to a foreground executor instead.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MINUTE_WAKE_UP_LAG_MS } from '../../src/discovery/availability-class.ts'
import { waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { INTENSIVE_THROTTLING_SOON_ARGS, NO_CONTENTFUL_PAINT } from './support/raw-chromium.ts'
import type { RawChromium } from './support/raw-chromium.ts'
import { runSha256On, startHiddenExecutorMesh } from './support/hidden-executor.ts'

/** Makes every WebRTC peer connection in the page fail, as a restrictive network would (as in relayed-fallback.test.ts). */
const BLOCK_WEBRTC = `
  window.RTCPeerConnection = class {
    constructor () { throw new DOMException('WebRTC blocked by the test', 'NotAllowedError') }
  }
`

/** The tag only the hidden tab offers. */
const HIDDEN_TAG = 'deep'

/**
 * How many times, a second apart, the submitter looks for the hidden tab's
 * presence once its timers wake once a minute. An announcement is forgotten
 * 20 s after it is made (PRESENCE_TTL_MS), so a tab announcing only from its
 * interval timer is missing from the directory for about 40 s of every minute:
 * 40 s of looks, begun within a few seconds of that regime, overlap at least
 * about 10 s of such a gap wherever the minute falls.
 */
const PRESENCE_LOOKS = 40
const PRESENCE_LOOK_EVERY_MS = 1000
/** Misses allowed among PRESENCE_LOOKS (a stalled machine), well under a lapse's. */
const PRESENCE_MISSES_ALLOWED = 5

interface SeenAtSubmitter { availabilityClass?: string, timerLagMs?: number, contributing: boolean }

async function seenAt (page: Page, peerId: string): Promise<SeenAtSubmitter> {
  return page.evaluate((id) => {
    const card = window.zerostate.cards().find(c => c.peerId === id)
    const peer = window.zerostate.peers().find(p => p.peerId === id)
    return { availabilityClass: card?.availabilityClass, timerLagMs: card?.timerLagMs, contributing: peer?.contributing === true }
  }, peerId)
}

describe('a tab hidden past the intensive-throttling grace period stays a (slow) background executor', () => {
  let harness: Harness
  let submitter: Peer
  let foreground: Peer
  let hidden: RawChromium | undefined
  let hiddenId: string

  beforeAll(async () => {
    ;({ harness, submitter, foreground, hidden, hiddenId } = await startHiddenExecutorMesh(HIDDEN_TAG, { extraArgs: INTENSIVE_THROTTLING_SOON_ARGS, initScript: BLOCK_WEBRTC + NO_CONTENTFUL_PAINT }))
    await waitForDirect(submitter.page, foreground.peerId)
  }, 120_000)

  afterAll(async () => {
    await hidden?.close()
    await harness?.close()
  })

  it('says how late its timers are as soon as they wake once a minute', async () => {
    const raw = hidden!
    await expect.poll(async () => (await seenAt(submitter.page, hiddenId)).availabilityClass, { timeout: 30_000, interval: 250 }).toBe('foreground')
    // Its card and its presence travel apart (the card is published at once, a presence change within a
    // coalescing delay): the submitter counts it as contributing once both have come.
    await expect.poll(async () => (await seenAt(submitter.page, hiddenId)).contributing, { timeout: 30_000, interval: 250 }).toBe(true)
    // No WebRTC in that tab (else Chromium would spare it): the submitter reaches it through the relay only.
    expect(await submitter.page.evaluate((id) => window.zerostate.peers().find(p => p.peerId === id)?.transports, hiddenId)).not.toContain('webrtc')

    await raw.hideAppTab()
    const hiddenAt = Date.now()
    await expect.poll(async () => raw.evaluate<string>('document.visibilityState'), { timeout: 10_000, interval: 250 }).toBe('hidden')
    // 10 s of grace, then the probe's pending timer waits for the next minute: the tab reads how overdue it is (this
    // evaluation is a DevTools message, not a timer) and says a lag of 10 s some 20 s after hiding. Were its figure the
    // median of its samples, it would say so only two once-a-minute wake-ups later: past this bound.
    await expect.poll(async () => (await raw.evaluate<{ timerLagMs?: number }>('window.zerostate.stats().availability')).timerLagMs ?? 0,
      { timeout: 60_000, interval: 1000 }).toBeGreaterThanOrEqual(MINUTE_WAKE_UP_LAG_MS)
    console.log(`${Math.round((Date.now() - hiddenAt) / 1000)} s after hiding:`, JSON.stringify(await raw.evaluate('window.zerostate.stats().availability')))
  }, 90_000)

  it('its presence does not lapse at the submitter while its timers wake once a minute, and its card says how late they are', async () => {
    // Its announcement interval fires once a minute now: without the event-driven re-announcement it would be missing
    // at the submitter for about 40 s of every minute. Meanwhile its probe fires at the next minute, and the move to
    // another lag regime republishes its card (without a timer).
    const missing: number[] = []
    let cardSawTheMinute = false
    for (let look = 0; look < PRESENCE_LOOKS; look++) {
      const seen = await seenAt(submitter.page, hiddenId)
      if (!seen.contributing) missing.push(look)
      if ((seen.timerLagMs ?? 0) >= MINUTE_WAKE_UP_LAG_MS) cardSawTheMinute = true
      await new Promise(resolve => setTimeout(resolve, PRESENCE_LOOK_EVERY_MS))
    }
    console.log(`the hidden tab was missing at ${missing.length} of ${PRESENCE_LOOKS} looks`, missing.join(','), { cardSawTheMinute })
    expect(missing.length).toBeLessThanOrEqual(PRESENCE_MISSES_ALLOWED)
    expect((await raw().evaluate<{ timerLagMs?: number }>('window.zerostate.stats().availability')).timerLagMs).toBeGreaterThanOrEqual(MINUTE_WAKE_UP_LAG_MS)

    // The next minute has come within the looks, or comes within 60 s of the regime's start.
    await expect.poll(async () => (await seenAt(submitter.page, hiddenId)).timerLagMs ?? 0, { timeout: 60_000, interval: 1000 }).toBeGreaterThanOrEqual(MINUTE_WAKE_UP_LAG_MS)
    const seen = await seenAt(submitter.page, hiddenId)
    console.log('its card at the submitter:', JSON.stringify(seen))
    expect(seen.availabilityClass).toBe('background')
  }, 120_000)

  it('runs a task sent to it; a latency-sensitive one goes to the foreground executor', async () => {
    const ordinary = await runSha256On(submitter.page, { tags: [HIDDEN_TAG] }, 'deep ordinary', 90_000)
    console.log('an ordinary task on the deeply hidden tab:', JSON.stringify({ ...ordinary, executor: ordinary.executor?.slice(-6) }))
    expect(ordinary.error).toBeUndefined()
    expect(ordinary.executor).toBe(hiddenId)
    expect(ordinary.stdout).toMatch(/^[0-9a-f]{64}/)

    const latency = await runSha256On(submitter.page, { tags: [HIDDEN_TAG], latencySensitive: true }, 'deep latency', 90_000)
    expect(latency.error).toBeUndefined()
    expect(latency.executor).toBe(foreground.peerId)
  }, 120_000)

  function raw (): RawChromium {
    return hidden!
  }
})
