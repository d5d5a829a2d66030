/**
 * The mesh of the background-tab tests: a submitter and a foreground executor
 * (Playwright pages, always visible) and an executor in a Chromium spawned
 * without Playwright (raw-chromium.ts), so that its tab can really be hidden
 * and throttled; and a sha256 task submitted from a page, reporting which
 * executor ran it rather than throwing.
 */
import type { Page } from 'playwright-core'
import { startHarness } from '../harness.ts'
import type { Harness, Peer } from '../harness.ts'
import { launchRawChromium } from './raw-chromium.ts'
import type { RawChromiumOptions, RawChromium } from './raw-chromium.ts'

export interface HiddenExecutorMesh {
  harness: Harness
  submitter: Peer
  foreground: Peer
  hidden: RawChromium
  hiddenId: string
}

/** Starts the mesh; the raw Chromium's tab contributes one slot offering `tag`, which the foreground executor does not. */
export async function startHiddenExecutorMesh (tag: string, chromium: RawChromiumOptions = {}): Promise<HiddenExecutorMesh> {
  const harness = await startHarness()
  let hidden: RawChromium | undefined
  try {
    const submitter = await harness.openPeer()
    const foreground = await harness.openPeer()
    await foreground.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { witnessRates: { established: 0, newcomer: 0 } }) })
    hidden = await launchRawChromium(harness.mesh.url, chromium)
    await hidden.waitFor('window.zerostate != null', 30_000)
    const hiddenId = await hidden.evaluate<string>('window.zerostate.ready.then(() => window.zerostate.peerId)')
    await hidden.evaluate(`window.zerostate.contribute(true, 1, { tags: ['${tag}'], witnessRates: { established: 0, newcomer: 0 } }).then(() => true)`)
    return { harness, submitter, foreground, hidden, hiddenId }
  } catch (err) {
    await hidden?.close()
    await harness.close()
    throw err
  }
}

/** Submits sha256 from `page`; says which executor ran it and how long the submission took (or why it failed). */
export async function runSha256On (
  page: Page, requirements: { tags?: string[], latencySensitive?: boolean }, stdin: string, timeoutMs: number
): Promise<{ executor?: string, stdout?: string, error?: string, ms: number }> {
  return page.evaluate(async ({ requirements, stdin, timeoutMs }) => {
    const started = performance.now()
    try {
      const result = await window.zerostate.submit({ module: 'samples/sha256.wasm', stdin, requirements, timeoutMs })
      return { executor: result.executor, stdout: new TextDecoder().decode(result.stdout).trim(), ms: Math.round(performance.now() - started) }
    } catch (err) {
      return { error: `${(err as Error).name}: ${(err as Error).message}`, ms: Math.round(performance.now() - started) }
    }
  }, { requirements, stdin, timeoutMs })
}
