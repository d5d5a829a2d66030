/**
 * A harness for the hostile-* tests: one relay whose key and port stay the
 * same across restarts (so a page keeps its relay address while the relay is
 * down and comes back), an app server, and real headless Chromium. Unlike
 * harness.ts it opens pages that need not reach the relay.
 */
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startAppServer } from '../../src/server/http-server.ts'
import type { AppServer } from '../../src/server/http-server.ts'
import { startRelay } from '../../src/server/relay.ts'
import type { Relay } from '../../src/server/relay.ts'
import { CHROMIUM_PATH } from './harness.ts'

/** The same flags as harness.ts: loopback WebRTC, fake media for host candidates, no sandbox as root. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream'
]

export interface HostilePage {
  context: BrowserContext
  page: Page
  peerId: string
}

export interface HostileMesh {
  browser: Browser
  app: AppServer
  /** The relay's address as pages know it, with /p2p/<id>. */
  readonly relayAddr: string
  readonly relay: Relay | undefined
  /** Starts the relay (again) on the same port with the same key. */
  startRelay(options?: { maxReservations?: number }): Promise<Relay>
  stopRelay(): Promise<void>
  /** A new tab in its own context; resolves once `window.zerostate.ready` has (the relay may be unreachable). */
  openPage(query?: string): Promise<HostilePage>
  close(): Promise<void>
}

export async function startHostileMesh (options: { relayUp?: boolean, maxReservations?: number } = {}): Promise<HostileMesh> {
  const key: PrivateKey = await generateKeyPair('Ed25519')
  // Learn a free port from a first start, then keep it.
  let relay: Relay | undefined = await startRelay({ host: '127.0.0.1', port: 0, privateKey: key, maxReservations: options.maxReservations })
  const relayAddr = relay.multiaddrs[0]!
  const port = Number(relayAddr.split('/')[4])
  if (options.relayUp === false) {
    await relay.stop()
    relay = undefined
  }
  const app = await startAppServer({ root: join(import.meta.dirname, '..', '..', 'dist'), host: '127.0.0.1', port: 0, relayAddrs: () => [relayAddr] })
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  const contexts: BrowserContext[] = []
  return {
    browser,
    app,
    relayAddr,
    get relay () { return relay },
    async startRelay (startOptions = {}) {
      await relay?.stop()
      relay = await startRelay({ host: '127.0.0.1', port, privateKey: key, maxReservations: startOptions.maxReservations ?? options.maxReservations })
      return relay
    },
    async stopRelay () {
      await relay?.stop()
      relay = undefined
    },
    async openPage (query = '') {
      const context = await browser.newContext({ permissions: ['camera', 'microphone'] })
      contexts.push(context)
      const page = await context.newPage()
      const n = contexts.length
      page.on('console', msg => { if (msg.type() === 'error') console.error(`[page ${n}] ${msg.text()}`) })
      page.on('pageerror', err => { console.error(`[page ${n}] ${err.message}`) })
      await page.goto(app.url + query)
      await page.waitForFunction(() => window.zerostate != null, undefined, { timeout: 30_000 })
      const peerId = await page.evaluate(async () => {
        await window.zerostate.ready
        return window.zerostate.peerId
      })
      return { context, page, peerId }
    },
    async close () {
      await Promise.all(contexts.map(async c => { await c.close().catch(() => {}) }))
      await browser.close().catch(() => {})
      await app.stop()
      await relay?.stop()
    }
  }
}
