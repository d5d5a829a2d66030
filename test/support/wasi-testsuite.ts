/**
 * The official WASI test suite (WebAssembly/wasi-testsuite, wasm32-wasip1,
 * 72 tests; ../shared/wasi-testsuite/NOTE.md) as test data, and how its own
 * runner judges a test — shared by the Node test
 * (test/unit/execution/wasi-testsuite.test.ts) and the Chromium one
 * (test/e2e/wasi-testsuite-browser.test.ts), so both judge alike: the test's
 * `args` and `env`, the directory its `root` names preopened at `/` (a fresh
 * copy each run), and the test passes when the exit code equals `exit_code`
 * (default 0), stdout starts with `stdout` and stderr contains `stderr`.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { basename, dirname, join, relative, sep } from 'node:path'
import { STATUS_EXIT_CODES } from '../../src/cli/run-task.ts'
import type { ExecutionResult } from '../../src/execution/types.ts'

/** Where the suite is: beside the repository, in ../shared (CI has it; elsewhere the tests skip). */
export const WASI_TESTSUITE = join(import.meta.dirname, '..', '..', '..', 'shared', 'wasi-testsuite')

/** How many tests the suite holds. */
export const WASI_TESTSUITE_SIZE = 72

/** A test's `.json`: what it is run with and what it must give. */
export interface Expectation { args?: string[], env?: Record<string, string>, root?: string, exit_code?: number, stdout?: string, stderr?: string }

export interface SuiteTest {
  /** `language/name`, e.g. `rust/fd_readdir`. */
  name: string
  /** The module's path. */
  wasm: string
  spec: Expectation
}

/** True when the suite is there to run. */
export function wasiTestsuiteFound (): boolean {
  return existsSync(join(WASI_TESTSUITE, 'tests'))
}

/** Every test of the suite, by language then name. */
export async function listSuiteTests (): Promise<SuiteTest[]> {
  const tests: SuiteTest[] = []
  for (const language of ['assemblyscript', 'c', 'rust']) {
    const folder = join(WASI_TESTSUITE, 'tests', language, 'testsuite', 'wasm32-wasip1')
    for (const file of (await readdir(folder)).filter(name => name.endsWith('.wasm')).sort()) {
      const wasm = join(folder, file)
      const json = wasm.replace(/\.wasm$/, '.json')
      const spec = existsSync(json) ? JSON.parse(await readFile(json, 'utf8')) as Expectation : {}
      tests.push({ name: `${language}/${basename(file, '.wasm')}`, wasm, spec })
    }
  }
  return tests
}

/** The host directory a test's `root` names, or undefined when it has none. */
export function suiteTestRoot (test: SuiteTest): string | undefined {
  return test.spec.root === undefined ? undefined : join(dirname(test.wasm), test.spec.root)
}

/**
 * The files under a test's `root` ('/'-separated relative paths → bytes,
 * sorted), as `zerostate run --dir ROOT::/` reads them; empty without a root.
 * The suite's roots hold files only: no empty directories, no links.
 */
export async function suiteTestFiles (test: SuiteTest): Promise<Array<[string, Uint8Array]>> {
  const root = suiteTestRoot(test)
  if (root === undefined) return []
  const files: Array<[string, Uint8Array]> = []
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files.push([relative(root, path).split(sep).join('/'), new Uint8Array(await readFile(path))])
  }
  return files.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
}

/** What a run gave, as far as judging it goes (an ExecutionResult, or its text in a page). */
export interface SuiteRunOutcome {
  status: ExecutionResult['status']
  exitCode: number
  stdout: string
  stderr: string
  error?: { name: string, message: string }
}

/** The process exit code `zerostate run` gives for a run: the task's own, or the one for its status. */
export function suiteExitCode (outcome: Pick<SuiteRunOutcome, 'status' | 'exitCode'>): number {
  return outcome.status === 'ok' || outcome.status === 'exit' ? outcome.exitCode : STATUS_EXIT_CODES[outcome.status]
}

/** Judges a run as the suite's runner does; null when the test passed, else why not. */
export function judgeSuiteRun (test: SuiteTest, outcome: SuiteRunOutcome): string | null {
  const code = suiteExitCode(outcome)
  const expected = test.spec.exit_code ?? 0
  const problems: string[] = []
  if (code !== expected) problems.push(`exit code ${code}, expected ${expected}${outcome.error === undefined ? '' : ` (${outcome.error.name}: ${outcome.error.message})`}`)
  if (test.spec.stdout !== undefined && !outcome.stdout.startsWith(test.spec.stdout)) problems.push(`stdout ${JSON.stringify(outcome.stdout.slice(0, 80))}`)
  if (test.spec.stderr !== undefined && !outcome.stderr.includes(test.spec.stderr)) problems.push('stderr lacks the expected text')
  if (problems.length > 0 && outcome.stderr !== '') problems.push(`stderr: ${outcome.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`)
  return problems.length === 0 ? null : problems.join('; ')
}

/** Runs every test, `concurrency` at a time; resolves with why each failing test failed. */
export async function runSuite (tests: SuiteTest[], concurrency: number, run: (test: SuiteTest) => Promise<string | null>): Promise<Map<string, string>> {
  const failures = new Map<string, string>()
  for (let i = 0; i < tests.length; i += concurrency) {
    const batch = tests.slice(i, i + concurrency)
    const outcomes = await Promise.all(batch.map(run))
    batch.forEach((test, j) => { const why = outcomes[j]; if (why != null) failures.set(test.name, why) })
  }
  return failures
}

/** Prints a line per test and the tally; returns how many passed. */
export function reportSuite (label: string, tests: SuiteTest[], failures: Map<string, string>): number {
  for (const test of tests) {
    const why = failures.get(test.name)
    console.log(`${why === undefined ? 'pass' : 'FAIL'} ${test.name}${why === undefined ? '' : `: ${why}`}`)
  }
  const passed = tests.length - failures.size
  console.log(`${label}: ${passed}/${tests.length} passed`)
  return passed
}
