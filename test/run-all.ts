/**
 * The README's test command: makes sure Chromium (and the C toolchain) are
 * there, installing them when it runs as root, builds the app,
 * runs the unit tests and the end-to-end tests in real Chromium, and ends
 * with one line "N passed, N failed" for the whole run.
 *
 * The end-to-end tests run in a fresh network namespace with only loopback
 * when this machine allows it (root with unshare), so that the relay, the
 * app server and every WebRTC candidate stay on 127.0.0.1.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { canIsolateNetwork, runInLoopbackNamespace } from './support/loopback-namespace.ts'

const root = join(import.meta.dirname, '..')
const artifacts = join(root, 'test', 'artifacts')
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const isRoot = process.getuid?.() === 0

function run (command: string, args: string[], options: { allowFailure?: boolean } = {}): number {
  console.log(`\n$ ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env })
  const status = result.status ?? 1
  if (status !== 0 && options.allowFailure !== true) {
    console.error(`\n${command} exited with ${status}`)
    console.log('0 passed, 1 failed')
    process.exit(1)
  }
  return status
}

/**
 * Debian packages the tests use: Chromium for the browser tests; clang with
 * wasi-libc (and the stb headers) to show that C built by a standard
 * toolchain runs unmodified in the sandbox and to rebuild the committed
 * workloads byte for byte (test/unit/execution/c-toolchain.test.ts,
 * test/unit/workloads/; skipped without them outside CI).
 */
const PACKAGES = ['chromium', 'clang-14', 'lld-14', 'wasi-libc', 'libclang-rt-14-dev-wasm32', 'libstb-dev']
const installed = (name: string): boolean => spawnSync('dpkg', ['-s', name], { stdio: 'ignore' }).status === 0
const debian = spawnSync('dpkg', ['--version'], { stdio: 'ignore' }).status === 0
const missing = isRoot && debian ? PACKAGES.filter(name => !installed(name)) : []
if (missing.length > 0) {
  process.env.DEBIAN_FRONTEND = 'noninteractive'
  run('apt-get', ['update', '-qq'])
  run('apt-get', ['install', '-y', '-qq', ...missing])
}
if (!existsSync(chromium)) {
  console.error(`Chromium is not at ${chromium}. Install Debian's chromium (sudo apt-get install -y chromium) or set CHROMIUM_PATH.`)
  process.exit(1)
}

run('npm', ['run', 'build'])
// The cheating executor of the witness end-to-end test (src/app/test-hooks.ts).
run('npm', ['run', 'build:test-hooks'])
mkdirSync(artifacts, { recursive: true })

const unitReport = join(artifacts, 'unit-report.json')
const e2eReport = join(artifacts, 'e2e-report.json')
const vitest = join(root, 'node_modules', '.bin', 'vitest')
// A report left by an earlier run must not stand in for a suite that did not run.
for (const report of [unitReport, e2eReport]) rmSync(report, { force: true })
run(vitest, ['run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile.json=${unitReport}`], { allowFailure: true })

const e2eArgs = ['run', '--project', 'e2e', '--reporter=default', '--reporter=json', `--outputFile.json=${e2eReport}`]
if (canIsolateNetwork()) {
  console.log(`\n$ (loopback-only network namespace) vitest ${e2eArgs.join(' ')}`)
  runInLoopbackNamespace(vitest, e2eArgs, root)
} else {
  run(vitest, e2eArgs, { allowFailure: true })
}

interface VitestJsonReport {
  numPassedTests: number
  numFailedTests: number
  numTotalTestSuites: number
  numFailedTestSuites: number
  testResults?: Array<{
    name: string
    status: string
    message?: string
    assertionResults?: Array<{ fullName: string, status: string, failureMessages?: string[] }>
  }>
}

/**
 * What failed, with the first line of each message: CI keeps only the tail of
 * this run's output, so the names must come last, next to the count.
 */
function failuresIn (report: VitestJsonReport): string[] {
  const lines: string[] = []
  for (const file of report.testResults ?? []) {
    const where = file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name
    const failedTests = (file.assertionResults ?? []).filter(test => test.status === 'failed')
    for (const test of failedTests) {
      const firstLine = (test.failureMessages?.[0] ?? '').split('\n')[0]?.slice(0, 300) ?? ''
      lines.push(`FAILED ${where} > ${test.fullName}\n    ${firstLine}`)
    }
    if (failedTests.length === 0 && file.status === 'failed') {
      lines.push(`FAILED ${where} (the file did not run)\n    ${(file.message ?? '').split('\n')[0]?.slice(0, 300) ?? ''}`)
    }
  }
  return lines
}

let passed = 0
let failed = 0
const failures: string[] = []
for (const report of [unitReport, e2eReport]) {
  if (!existsSync(report)) {
    console.error(`no report at ${report}: that suite did not run`)
    failed++
    continue
  }
  const summary = JSON.parse(readFileSync(report, 'utf8')) as VitestJsonReport
  passed += summary.numPassedTests
  failures.push(...failuresIn(summary))
  failed += summary.numFailedTests
  if (summary.numFailedTests === 0 && summary.numFailedTestSuites > 0) failed += summary.numFailedTestSuites
}
if (failures.length > 0) console.log(`\n${failures.join('\n')}`)
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed === 0 && passed > 0 ? 0 : 1)
