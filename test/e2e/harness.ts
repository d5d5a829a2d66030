import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startAppServer } from '../../src/server/http-server.ts'
import type { AppServer } from '../../src/server/http-server.ts'
import { startMesh } from '../../src/server/mesh.ts'
import type { Mesh } from '../../src/server/mesh.ts'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts')

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // The tests run in a network namespace with only loopback: WebRTC must be
  // allowed to use it, and a media permission makes Chromium gather real
  // host candidates instead of none.
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream'
]

export interface Peer {
  context: BrowserContext
  page: Page
  peerId: string
}

export interface Harness {
  mesh: Mesh
  browser: Browser
  /**
   * A new peer: its own browser context (own IndexedDB), one tab, online.
   * `initScript` runs in the page before the app does. `testHooks` loads the
   * test-hooks build (dist-test-hooks/, src/app/test-hooks.ts) with `query`
   * (e.g. '?cheat=corrupt-output') on the same relays.
   */
  openPeer(options?: { initScript?: string, testHooks?: boolean, query?: string }): Promise<Peer>
  close(): Promise<void>
}

const DIST = join(import.meta.dirname, '..', '..', 'dist')
const DIST_TEST_HOOKS = join(import.meta.dirname, '..', '..', 'dist-test-hooks')

/**
 * Fails at once, naming the command, when a build the harness serves is
 * missing: the app server would answer 404 and the page would fail to load
 * with a message that says nothing of why (a benchmark run before a build).
 */
function requireBuild (root: string, command: string): void {
  if (!existsSync(join(root, 'index.html'))) throw new Error(`${root}/index.html is missing: run \`${command}\` first`)
}

export async function startHarness (options: { relays?: number } = {}): Promise<Harness> {
  requireBuild(DIST, 'npm run build')
  const mesh = await startMesh({
    root: DIST,
    host: '127.0.0.1',
    port: 0,
    relayPort: 0,
    relays: options.relays ?? 1,
    extraRelayAddrs: []
  })
  // Playwright gives every launch a fresh temporary user-data-dir.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  const contexts: BrowserContext[] = []
  let testHooksApp: AppServer | undefined
  return {
    mesh,
    browser,
    async openPeer (options = {}) {
      const context = await browser.newContext({ permissions: ['camera', 'microphone'] })
      contexts.push(context)
      if (options.initScript != null) await context.addInitScript(options.initScript)
      const page = await context.newPage()
      page.on('console', msg => { if (msg.type() === 'error') console.error(`[page ${contexts.length}] ${msg.text()}`) })
      page.on('pageerror', err => { console.error(`[page ${contexts.length}] ${err.message}`) })
      let url = mesh.url
      if (options.testHooks === true) {
        requireBuild(DIST_TEST_HOOKS, 'npm run build:test-hooks')
        testHooksApp ??= await startAppServer({
          root: DIST_TEST_HOOKS, host: '127.0.0.1', port: 0, relayAddrs: () => mesh.relayAddrs
        })
        url = testHooksApp.url
      }
      await page.goto(url + (options.query ?? ''))
      const peerId = await waitOnline(page)
      return { context, page, peerId }
    },
    async close () {
      await Promise.all(contexts.map(async c => { await c.close().catch(() => {}) }))
      await browser.close().catch(() => {})
      await testHooksApp?.stop()
      await mesh.stop()
    }
  }
}

/** Waits for `window.zerostate.ready` and returns the tab's PeerId. */
export async function waitOnline (page: Page): Promise<string> {
  await page.waitForFunction(() => window.zerostate != null, undefined, { timeout: 30_000 })
  return page.evaluate(async () => {
    await window.zerostate.ready
    return window.zerostate.peerId
  })
}

/** Waits until `page` holds a direct WebRTC connection to `peerId`. */
export async function waitForDirect (page: Page, peerId: string, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    (id) => window.zerostate.peers().some(p => p.peerId === id && p.transports.includes('webrtc')),
    peerId,
    { timeout: timeoutMs, polling: 200 }
  )
}

/**
 * A submitter tab and `count` executor tabs that contribute one slot each
 * (no witness re-runs, so every task runs once; `prices` when given), each
 * directly connected to the submitter before this resolves.
 */
export async function openSubmitterWithExecutors (harness: Harness, count: number, prices?: { perMegaFuel: number, perSecond: number, perMb: number }): Promise<{ submitter: Peer, executors: Peer[] }> {
  const submitter = await harness.openPeer()
  const executors: Peer[] = []
  for (let i = 0; i < count; i++) executors.push(await harness.openPeer())
  for (const executor of executors) {
    await executor.page.evaluate(async (prices) => {
      await window.zerostate.contribute(true, 1, { ...(prices === undefined ? {} : { prices }), witnessRates: { established: 0, newcomer: 0 } })
    }, prices)
    await waitForDirect(submitter.page, executor.peerId)
  }
  return { submitter, executors }
}
