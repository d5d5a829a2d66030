/**
 * A tab tells the truth about its connection in real Chromium: it does not
 * claim to be online while its relay is unreachable (stopped, or refusing
 * it), says so, and becomes online when the relay comes back; a tab the
 * relay gives no reservation (it is full) says that others cannot reach it,
 * retries, and is reachable once the relay has room.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHostileMesh } from './hostile-harness.ts'
import type { HostileMesh, HostilePage } from './hostile-harness.ts'

const statusOf = async (page: Page): Promise<string | null> => page.getByTestId('status').getAttribute('data-status')
const statusLine = async (page: Page): Promise<string> => (await page.getByTestId('status').textContent() ?? '').replace(/\s+/g, ' ').trim()
const noticeOf = async (page: Page): Promise<string> => {
  const notice = page.getByTestId('notice')
  return await notice.count() === 0 ? '' : (await notice.textContent() ?? '')
}

/** Who holds a reservation on the relay, as the relay itself sees it. */
const reservedOn = (relay: Libp2p): string[] =>
  [...(relay as unknown as { services: { relay: { reservations: Map<{ toString(): string }, unknown> } } }).services.relay.reservations.keys()].map(String)

/** Resolves once `check` is true (polled every 250 ms); fails after `ms`. Usable outside a test, unlike expect.poll. */
async function until (check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !await check();) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/** Samples `read` every 250 ms for `ms` and returns every value seen. */
async function sample<T> (read: () => Promise<T>, ms: number): Promise<T[]> {
  const seen: T[] = []
  for (const end = Date.now() + ms; Date.now() < end;) {
    seen.push(await read())
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  return seen
}

describe('a tab whose relay is unreachable does not claim to be online', () => {
  let mesh: HostileMesh
  let tab: HostilePage

  beforeAll(async () => {
    mesh = await startHostileMesh({ relayUp: false })
    tab = await mesh.openPage()
  })

  afterAll(async () => {
    await mesh?.close()
  })

  it('shows that it is still looking for the relay, never "online"', async () => {
    const seen = await sample(async () => statusOf(tab.page), 5000)
    expect(seen).not.toContain('online')
    expect(seen.at(-1)).toBe('connecting')
    expect(await statusLine(tab.page)).toMatch(/relay/i)
  })

  it('becomes online when the relay comes back, and not online again when it goes', async () => {
    await mesh.startRelay()
    await expect.poll(async () => statusOf(tab.page), { timeout: 45_000, interval: 250 }).toBe('online')
    const stats = await tab.page.evaluate(() => window.zerostate.stats())
    expect(stats.connectivity.relays.some(r => r.connected)).toBe(true)

    await mesh.stopRelay()
    await expect.poll(async () => statusOf(tab.page), { timeout: 20_000, interval: 250 }).toBe('connecting')
    expect(await statusLine(tab.page)).toMatch(/relay/i)

    await mesh.startRelay()
    await expect.poll(async () => statusOf(tab.page), { timeout: 45_000, interval: 250 }).toBe('online')
  })
})

describe('a tab the relay has no reservation for says so and retries', () => {
  let mesh: HostileMesh
  let first: HostilePage
  let tab: HostilePage
  let tabConnections = 0

  beforeAll(async () => {
    mesh = await startHostileMesh({ maxReservations: 1 })
    first = await mesh.openPage()
    // The first tab takes the relay's only slot.
    await until(async () => reservedOn(mesh.relay!.node).includes(first.peerId), 20_000, 'the first tab has the slot')
    const relayNode = mesh.relay!.node
    const watch = (): void => {
      relayNode.addEventListener('connection:open', event => {
        if (tab !== undefined && event.detail.remotePeer.toString() === tab.peerId) tabConnections++
      })
    }
    watch()
    tab = await mesh.openPage()
    // Connected before `tab` was assigned: count that first connection too.
    tabConnections = Math.max(tabConnections, relayNode.getConnections().filter(c => c.remotePeer.toString() === tab.peerId).length)
  })

  afterAll(async () => {
    await mesh?.close()
  })

  it('notices within the bound that it has no relay slot, and says so', async () => {
    await expect.poll(async () => `${await statusLine(tab.page)} ${await noticeOf(tab.page)}`, { timeout: 25_000, interval: 250 })
      .toMatch(/relay slot/i)
    expect(reservedOn(mesh.relay!.node)).not.toContain(tab.peerId)
    const stats = await tab.page.evaluate(() => window.zerostate.stats())
    expect(stats.connectivity.reserved).toBe(false)
  })

  it('retries the reservation while the relay stays up', async () => {
    await expect.poll(() => tabConnections, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(2)
  })

  it('is reachable once the relay has room, and stops saying otherwise', async () => {
    await mesh.startRelay({ maxReservations: 16 })
    await expect.poll(() => reservedOn(mesh.relay!.node).includes(tab.peerId), { timeout: 60_000, interval: 500 }).toBe(true)
    await expect.poll(async () => tab.page.evaluate(() => window.zerostate.stats().connectivity.reserved), { timeout: 10_000, interval: 500 }).toBe(true)
    await expect.poll(async () => statusLine(tab.page), { timeout: 10_000 }).not.toMatch(/relay slot/i)
    expect(await statusOf(tab.page)).toBe('online')
  })
})
