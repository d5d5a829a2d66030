/**
 * The official WASI test suite (WebAssembly/wasi-testsuite, wasm32-wasip1,
 * 72 tests; ../shared/wasi-testsuite/NOTE.md) in real Chromium, in the
 * browser's own sandbox: a tab of the test-hooks build (src/app/test-hooks.ts)
 * runs each module in a WorkerPool of the browser's sandbox Web Workers — the
 * code a tab runs tasks with — as the Node test
 * (test/unit/execution/wasi-testsuite.test.ts) runs it in worker threads
 * through `zerostate run`, and judged alike (test/support/wasi-testsuite.ts):
 * the test's args and env, the files of its `root` preopened at `/` (a fresh
 * copy each run, passed into the page as a mount), no `/work`; the exit code,
 * stdout's start and stderr's content must be the expected ones.
 *
 * Needs the test-hooks build (`npm run build:test-hooks`). The suite is test
 * data outside the repository: without it this prints "skipped: suite not
 * found" and skips.
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import {
  judgeSuiteRun, listSuiteTests, reportSuite, runSuite, suiteTestFiles, WASI_TESTSUITE, WASI_TESTSUITE_SIZE, wasiTestsuiteFound
} from '../support/wasi-testsuite.ts'
import type { SuiteRunOutcome, SuiteTest } from '../support/wasi-testsuite.ts'
import { startHarness } from './harness.ts'
import type { Harness, Peer } from './harness.ts'

/** Per test, as in the Node test; the slowest passes in well under a second. */
const TEST_TIMEOUT_MS = 10_000

/** Tests at once: the page's pool has two slots. */
const CONCURRENCY = 2

interface PageRun {
  module: string
  args: string[]
  env: Array<[string, string]>
  /** The test's root, path → base64 bytes; null: the test has none. */
  root: Array<[string, string]> | null
  timeoutMs: number
}

/** Runs one module in the page's sandbox as `zerostate run --env … [--dir ROOT::/] module -- args` would. */
async function runInPage (page: Page, run: PageRun): Promise<SuiteRunOutcome> {
  return page.evaluate(async (req) => {
    const api = window.__zerostateTest
    if (api === undefined) throw new Error('window.__zerostateTest is missing: not the test-hooks build')
    const bytes = (base64: string): Uint8Array => Uint8Array.from(atob(base64), c => c.charCodeAt(0))
    try {
      const result = await api.runWasi(bytes(req.module), {
        args: req.args,
        env: req.env,
        // As `zerostate run` without a --dir for /work: no /work (nor "."); the root alone, at `/`.
        preopenWork: false,
        ...(req.root === null ? {} : { mounts: [{ path: '/', files: req.root.map(([path, data]): [string, Uint8Array] => [path, bytes(data)]) }] }),
        limits: { timeoutMs: req.timeoutMs }
      })
      const text = new TextDecoder()
      return { status: result.status, exitCode: result.exitCode, stdout: text.decode(result.stdout), stderr: text.decode(result.stderr), ...(result.error === undefined ? {} : { error: result.error }) }
    } catch (err) {
      // As runTask: bad input is an error; a module the sandbox refuses is an invalid-module result.
      const e = err as Error
      if (e.name === 'RangeError' || e.name === 'TypeError') throw err
      return { status: 'invalid-module' as const, exitCode: -1, stdout: '', stderr: '', error: { name: e.name, message: e.message } }
    }
  }, run)
}

async function runSuiteTestInPage (page: Page, test: SuiteTest): Promise<string | null> {
  const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
  const root = test.spec.root === undefined ? null : (await suiteTestFiles(test)).map(([path, bytes]): [string, string] => [path, base64(bytes)])
  const outcome = await runInPage(page, {
    module: base64(await readFile(test.wasm)),
    args: test.spec.args ?? [],
    env: Object.entries(test.spec.env ?? {}),
    root,
    timeoutMs: TEST_TIMEOUT_MS
  })
  return judgeSuiteRun(test, outcome)
}

describe('WASI testsuite (wasm32-wasip1) in Chromium', () => {
  if (!wasiTestsuiteFound()) {
    console.log(`WASI testsuite in Chromium: skipped: suite not found at ${WASI_TESTSUITE}`)
    it.skip('skipped: suite not found', () => {})
    return
  }

  let harness: Harness
  let peer: Peer

  beforeAll(async () => {
    harness = await startHarness()
    peer = await harness.openPeer({ testHooks: true })
  })

  afterAll(async () => {
    await harness?.close()
  })

  it(`passes all ${WASI_TESTSUITE_SIZE} tests in the tab's sandbox Web Workers`, async () => {
    const tests = await listSuiteTests()
    expect(tests).toHaveLength(WASI_TESTSUITE_SIZE)
    const failures = await runSuite(tests, CONCURRENCY, async test => await runSuiteTestInPage(peer.page, test))
    const passed = reportSuite('WASI testsuite in Chromium', tests, failures)
    expect([...failures.keys()], 'tests failing in Chromium').toEqual([])
    expect(passed).toBe(WASI_TESTSUITE_SIZE)
  }, 90_000)
})
