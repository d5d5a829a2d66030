/**
 * A Chromium spawned without Playwright, driven over raw CDP, so that one of
 * its tabs can really be hidden and throttled.
 *
 * Playwright keeps every page it attaches to `visible` (focus emulation, and
 * its default `--disable-background-timer-throttling`,
 * `--disable-renderer-backgrounding`, `--disable-backgrounding-occluded-windows`),
 * so a hidden-tab test cannot go through it. Here the app tab is the first
 * tab of the window; opening a second tab (`/json/new`) puts the app tab in
 * the background — `document.visibilityState === 'hidden'`, timers throttled
 * to one wake-up a second — and `/json/activate/<id>` brings it back. The tab
 * is driven with `Runtime.evaluate` over its own DevTools websocket (Node's
 * global WebSocket), which emulates nothing.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CHROMIUM_PATH } from '../harness.ts'

/** The harness's Chromium flags (test/e2e/harness.ts), without Playwright's anti-throttling ones. */
const RAW_CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--allow-loopback-in-peer-connection', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'
]

/** How long to wait for the DevTools endpoint, a tab, or one CDP answer. */
const STARTUP_TIMEOUT_MS = 30_000
const CDP_TIMEOUT_MS = 60_000

interface TargetInfo {
  id: string
  type: string
  url: string
  webSocketDebuggerUrl: string
}

export interface RawChromium {
  /** The DevTools HTTP port. */
  port: number
  /** Evaluates `expression` in the app tab (awaiting a promise), returning its value by JSON. Throws the page's exception. */
  evaluate<T>(expression: string): Promise<T>
  /** Polls `expression` in the app tab every 250 ms until it is truthy (an exception counts as not yet), at most `timeoutMs`. */
  waitFor(expression: string, timeoutMs: number): Promise<void>
  /** Opens a blank tab in front of the app tab, which becomes hidden. */
  hideAppTab(): Promise<void>
  /** Brings the app tab to the front again (and closes the blank tab). */
  showAppTab(): Promise<void>
  /** Kills the browser and removes its profile. Safe to call twice. */
  close(): Promise<void>
}

/**
 * Chromium's intensive wake-up throttling (https://chromestatus.com/feature/4718288976216064)
 * after 10 s hidden instead of minutes, so a test can reach it. Then a hidden
 * page's chained timers (nesting level ≥ 5) wake once a minute, on the
 * minute. The grace period depends on whether the page is still loading to
 * the scheduler — waiting for its first contentful paint
 * (PageSchedulerImpl::IsLoading) — when it is hidden
 * (blink/renderer/platform/scheduler/common/features.cc,
 * GetIntensiveWakeUpThrottlingGracePeriod): if it is, this switch's
 * `grace_period_seconds` (5 min by default); if not, a fixed 60 s
 * (kIntensiveWakeUpThrottling_GracePeriodSecondsLoaded_Default), which no
 * switch changes. So the page must also never paint: NO_CONTENTFUL_PAINT.
 * Measured on Chromium 156 with a chained 1 s setTimeout: every 1–2 s (the
 * 1 Hz alignment) until the grace period ends, then a gap to the next
 * minute; the app, painted, entered that regime 60 s after hiding whatever
 * the switches, and 10 s after without its paint.
 */
export const INTENSIVE_THROTTLING_SOON_ARGS: readonly string[] = ['--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/10']

/**
 * An init script that keeps the page from ever painting content (a
 * document-wide `visibility: hidden`), so that to Chromium's scheduler it is
 * still loading and INTENSIVE_THROTTLING_SOON_ARGS's grace period applies.
 * The page runs as usual; only its pixels are missing.
 */
export const NO_CONTENTFUL_PAINT = `
  {
    const unpainted = new CSSStyleSheet()
    unpainted.replaceSync('html { visibility: hidden !important }')
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, unpainted]
  }
`

export interface RawChromiumOptions {
  /** More command-line switches, e.g. INTENSIVE_THROTTLING_SOON_ARGS. */
  extraArgs?: readonly string[]
  /** Runs in the app tab before its own scripts (CDP Page.addScriptToEvaluateOnNewDocument), e.g. to take WebRTC away. */
  initScript?: string
}

/** Spawns Chromium with `url` as its only tab and connects to that tab. */
export async function launchRawChromium (url: string, options: RawChromiumOptions = {}): Promise<RawChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'zs-raw-chromium-'))
  // With an init script the tab starts blank and is sent to `url` once the script is in place.
  const first = options.initScript === undefined ? url : 'about:blank'
  const args = [...RAW_CHROMIUM_ARGS, ...(options.extraArgs ?? []), '--remote-debugging-port=0', `--user-data-dir=${profile}`, first]
  const child = spawn(CHROMIUM_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  let socket: WebSocket | undefined
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    socket?.close()
    await stop(child)
    // Chromium's helper processes can still be writing into the profile just after the browser process exits
    // (seen once: ENOTEMPTY on Default/): rm retries those errors (node:fs rm maxRetries) until they are done.
    await rm(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 })
  }
  try {
    const port = await devToolsPort(profile, child, () => stderr)
    const base = `http://127.0.0.1:${port}`
    const app = await until(async () => (await targets(base)).find(t => t.type === 'page' && t.url.startsWith(first)), 'the app tab', STARTUP_TIMEOUT_MS)
    socket = await connect(app.webSocketDebuggerUrl)
    const cdp = cdpClient(socket)
    if (options.initScript !== undefined) {
      await cdp('Page.enable', {})
      await cdp('Page.addScriptToEvaluateOnNewDocument', { source: options.initScript })
      await cdp('Page.navigate', { url })
    }
    let blank: string | undefined
    const evaluate = async <T>(expression: string): Promise<T> => {
      const reply = await cdp('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }) as {
        result: { value?: unknown }, exceptionDetails?: { text: string, exception?: { description?: string } }
      }
      if (reply.exceptionDetails !== undefined) {
        throw new Error(`in the raw tab: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`)
      }
      return reply.result.value as T
    }
    return {
      port,
      evaluate,
      async waitFor (expression: string, timeoutMs: number): Promise<void> {
        await until(async () => await evaluate<unknown>(expression).catch(() => false) ? true : undefined, expression, timeoutMs, 250)
      },
      async hideAppTab () {
        if (blank !== undefined) return
        const response = await fetch(`${base}/json/new?about:blank`, { method: 'PUT' })
        if (!response.ok) throw new Error(`/json/new answered ${response.status}`)
        blank = ((await response.json()) as TargetInfo).id
      },
      async showAppTab () {
        const response = await fetch(`${base}/json/activate/${app.id}`)
        if (!response.ok) throw new Error(`/json/activate answered ${response.status}`)
        if (blank !== undefined) await fetch(`${base}/json/close/${blank}`).catch(() => {})
        blank = undefined
      },
      close
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** Chromium writes the port it picked for `--remote-debugging-port=0` as the first line of DevToolsActivePort. */
async function devToolsPort (profile: string, child: ChildProcess, stderr: () => string): Promise<number> {
  return until(async () => {
    if (child.exitCode !== null) throw new Error(`chromium exited with ${child.exitCode}: ${stderr()}`)
    const text = await readFile(join(profile, 'DevToolsActivePort'), 'utf8').catch(() => '')
    const port = Number.parseInt(text.split('\n')[0] ?? '', 10)
    return Number.isInteger(port) && port > 0 ? port : undefined
  }, 'the DevTools port', STARTUP_TIMEOUT_MS)
}

async function targets (base: string): Promise<TargetInfo[]> {
  const response = await fetch(`${base}/json/list`)
  return response.ok ? await response.json() as TargetInfo[] : []
}

/** Polls `probe` every `intervalMs` until it gives a value, at most `timeoutMs`. */
async function until<T> (probe: () => Promise<T | undefined>, what: string, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let attempt = 0; Date.now() < deadline && attempt < timeoutMs / intervalMs + 1; attempt++) {
    const value = await probe().catch((err: unknown) => { if ((err as Error).message.startsWith('chromium exited')) throw err })
    if (value !== undefined) return value
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

async function connect (address: string): Promise<WebSocket> {
  const socket = new WebSocket(address)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no DevTools websocket at ${address}`)) }, STARTUP_TIMEOUT_MS)
    socket.addEventListener('open', () => { clearTimeout(timer); resolve() }, { once: true })
    socket.addEventListener('error', () => { clearTimeout(timer); reject(new Error(`the DevTools websocket at ${address} failed`)) }, { once: true })
  })
  return socket
}

/** Sends CDP commands over `socket`, each answered (or failed) within CDP_TIMEOUT_MS. */
function cdpClient (socket: WebSocket): (method: string, params: Record<string, unknown>) => Promise<unknown> {
  let nextId = 0
  const pending = new Map<number, { resolve(value: unknown): void, reject(err: Error): void }>()
  socket.addEventListener('message', event => {
    const message = JSON.parse(String(event.data)) as { id?: number, result?: unknown, error?: { message: string } }
    const waiter = message.id === undefined ? undefined : pending.get(message.id)
    if (waiter === undefined) return
    pending.delete(message.id!)
    if (message.error !== undefined) waiter.reject(new Error(`CDP: ${message.error.message}`))
    else waiter.resolve(message.result)
  })
  socket.addEventListener('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('the DevTools websocket closed'))
    pending.clear()
  })
  return async (method, params) => new Promise((resolve, reject) => {
    const id = ++nextId
    const timer = setTimeout(() => { pending.delete(id); reject(new Error(`CDP ${method} got no answer in ${CDP_TIMEOUT_MS} ms`)) }, CDP_TIMEOUT_MS)
    pending.set(id, {
      resolve: value => { clearTimeout(timer); resolve(value) },
      reject: err => { clearTimeout(timer); reject(err) }
    })
    socket.send(JSON.stringify({ id, method, params }))
  })
}

/** SIGTERM, then SIGKILL if it is still there after 5 s; resolves once it has exited. */
async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>(resolve => { child.once('exit', () => { resolve() }) })
  child.kill('SIGTERM')
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 5000)
  await exited
  clearTimeout(timer)
}
