import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, waitForDirect, waitOnline } from './harness.ts'
import type { Harness, Peer } from './harness.ts'

describe('an installable app shell, and a mesh with two relays', () => {
  let harness: Harness
  let a: Peer

  beforeAll(async () => {
    harness = await startHarness({ relays: 2 })
    a = await harness.openPeer()
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('hands the page both relays, and the tab holds a connection to each', async () => {
    expect(harness.mesh.relayAddrs).toHaveLength(2)
    await a.page.waitForFunction(
      () => window.zerostate.peers().filter(p => p.isRelay && p.transports.includes('websocket')).length === 2,
      undefined,
      { timeout: 30_000 }
    )
  })

  it('lets two tabs meet through the relays and connect directly', async () => {
    const b = await harness.openPeer()
    await waitForDirect(a.page, b.peerId)
    await waitForDirect(b.page, a.peerId)
  })

  it('serves a web app manifest with installable icons', async () => {
    const manifest = await a.page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]')?.getAttribute('href')
      if (href == null) return null
      const response = await fetch(href)
      return { type: response.headers.get('content-type'), body: await response.json() as { name: string, display: string, icons: Array<{ src: string, sizes: string, type: string }> } }
    })
    expect(manifest?.type).toMatch(/manifest\+json/)
    expect(manifest?.body.name).toBe('ZeroState')
    expect(manifest?.body.display).toBe('standalone')
    const sizes = manifest?.body.icons.map(icon => icon.sizes) ?? []
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']))
    for (const icon of manifest?.body.icons ?? []) {
      const status = await a.page.evaluate(async (src) => {
        const response = await fetch(src)
        const bytes = new Uint8Array(await response.arrayBuffer())
        return { ok: response.ok, png: bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 }
      }, icon.src)
      expect(status).toEqual({ ok: true, png: true })
    }
  })

  it('opens its shell offline from the service worker, and says why it cannot join', async () => {
    await a.page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated', undefined, { timeout: 30_000 })
    await a.page.waitForFunction(() => navigator.serviceWorker.controller != null, undefined, { timeout: 30_000 })
    await a.context.setOffline(true)
    try {
      await a.page.reload()
      await a.page.waitForSelector('zs-app')
      const failure = await a.page.evaluate(async () => {
        try {
          await window.zerostate.ready
          return null
        } catch (err) {
          return { name: (err as Error).name, message: (err as Error).message }
        }
      })
      expect(failure?.name).toBe('StartupError')
      expect(failure?.message).toMatch(/relay list/)
      await expect.poll(async () => a.page.getByTestId('status').getAttribute('data-status')).toBe('offline')
      // A deep link to a section opens from the precache too: the route is in the fragment, which never reaches the network.
      await a.page.goto(`${harness.mesh.url}#/ledger`)
      await a.page.reload()
      await a.page.getByTestId('page-ledger').waitFor({ state: 'visible' })
      expect(await a.page.getByTestId('page-home').isVisible()).toBe(false)
    } finally {
      await a.context.setOffline(false)
    }
    await a.page.reload()
    await waitOnline(a.page)
  })
})
