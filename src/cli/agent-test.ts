/**
 * `zerostate agent test [--dir] [--json]`: runs every example of agent.json
 * (docs/agent-manifest.md §2, `examples`) against the built entry module in
 * the local sandbox — the worker pool `zerostate run` uses, on worker
 * threads, with the same checks, fuel meter and memory cap — and compares
 * its stdout with `expectedStdout` byte for byte. An example passes when
 * the module ends with status `ok` (exit 0) and, when it states one, gives
 * exactly the expected stdout.
 */
import { TASK_SEED_BYTES } from '../execution/constants.ts'
import { DEFAULT_FUEL, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS } from '../core/limits.ts'
import { exampleBytes } from '../discovery/agent-manifest/index.ts'
import type { ManifestDefaults, ManifestExample } from '../discovery/agent-manifest/index.ts'
import { createNodeWorkerPool } from '../execution/node-host.node.ts'
import type { ExecutionResult, TaskInput, TaskLimits } from '../execution/types.ts'
import type { WorkerPool } from '../execution/worker-pool.ts'
import { readBuiltAgent, type AgentPublishFields } from './agent-project.ts'

/** One example's outcome. */
export interface ExampleOutcome {
  name: string
  pass: boolean
  status: ExecutionResult['status']
  exitCode: number
  durationMs: number
  fuelUsed: number | null
  /** Why it failed, for people: the status and stderr, or where stdout first differs. */
  message?: string
  stdout: Uint8Array
  stderr: Uint8Array
}

export interface AgentTestReport {
  agent: string
  version: string
  module: string
  sha256: string
  examples: ExampleOutcome[]
  passed: number
  failed: number
}

/** The task an example is: its args (else the defaults'), its stdin, no files, an all-zero seed as `zerostate run` has. */
export function exampleTask (example: ManifestExample, defaults: ManifestDefaults): { input: TaskInput, limits: TaskLimits } {
  return {
    input: { args: example.args ?? defaults.args ?? [], env: [], stdin: exampleBytes(example.stdin), files: [], seed: new Uint8Array(TASK_SEED_BYTES) },
    limits: {
      timeoutMs: defaults.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      memoryLimitBytes: defaults.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES,
      fuel: defaults.fuel ?? DEFAULT_FUEL
    }
  }
}

/** How many bytes either side of the first difference a failure shows. */
const CONTEXT_BYTES = 24

/**
 * Judges one run against its example: undefined when it passes, else why
 * not — the status, exit code and stderr of a run that did not end with 0,
 * or where stdout first differs from expectedStdout (byte offset, line and
 * column) with both sides around it, JSON-escaped.
 */
export function judgeExample (example: ManifestExample, result: Pick<ExecutionResult, 'status' | 'exitCode' | 'stdout' | 'stderr' | 'error'>): string | undefined {
  if (result.status !== 'ok') {
    const how = result.status === 'exit' ? `exited with code ${result.exitCode}` : `ended with status ${result.status}${result.error === undefined ? '' : ` (${result.error.name}: ${result.error.message})`}`
    const stderr = new TextDecoder().decode(result.stderr).trimEnd()
    return `${how}${stderr === '' ? '' : `; stderr:\n${indent(stderr)}`}`
  }
  if (example.expectedStdout === undefined) return undefined
  const expected = exampleBytes(example.expectedStdout)
  const actual = result.stdout
  const at = firstDifference(expected, actual)
  if (at === undefined) return undefined
  const before = actual.subarray(0, at)
  const line = before.filter(byte => byte === 0x0a).length + 1
  const column = at - (before.lastIndexOf(0x0a) + 1) + 1
  const window = (bytes: Uint8Array): string => {
    const start = Math.max(0, at - CONTEXT_BYTES)
    const end = Math.min(bytes.length, at + CONTEXT_BYTES)
    return `${start > 0 ? '…' : ''}${JSON.stringify(new TextDecoder().decode(bytes.subarray(start, end)))}${end < bytes.length ? '…' : ''}`
  }
  return [
    `stdout differs from expectedStdout at byte ${at} (line ${line}, column ${column}); expected ${expected.length} bytes, got ${actual.length}`,
    `  expected: ${window(expected)}`,
    `  actual:   ${window(actual)}`
  ].join('\n')
}

/** The index of the first byte where `a` and `b` differ (a shorter one differs where it ends); undefined when equal. */
export function firstDifference (a: Uint8Array, b: Uint8Array): number | undefined {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return a.length === b.length ? undefined : n
}

function indent (text: string): string {
  return text.split('\n').map(line => `    ${line}`).join('\n')
}

/** Runs each example of `fields` on `bytes` in `pool`, one after the other. */
export async function runExamples (fields: AgentPublishFields, bytes: Uint8Array, hash: string, pool: WorkerPool, signal?: AbortSignal): Promise<ExampleOutcome[]> {
  const outcomes: ExampleOutcome[] = []
  for (const example of fields.examples) {
    signal?.throwIfAborted()
    const { input, limits } = exampleTask(example, fields.defaults)
    const started = performance.now()
    let result: ExecutionResult
    try {
      result = await pool.run(hash, bytes, input, limits, signal === undefined ? {} : { signal })
    } catch (err) {
      // What `zerostate run` reports as invalid-module: the pool refused the module before it ran.
      const error = err as Error
      if (signal?.aborted === true) throw err
      result = {
        status: 'invalid-module', stdout: new Uint8Array(0), stderr: new Uint8Array(0), exitCode: -1, startedAt: Date.now(),
        durationMs: performance.now() - started, fuelUsed: null, memoryPeakBytes: 0, files: [], error: { name: error.name, message: error.message }
      }
    }
    const message = judgeExample(example, result)
    outcomes.push({
      name: example.name,
      pass: message === undefined,
      status: result.status,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      fuelUsed: result.fuelUsed,
      ...(message === undefined ? {} : { message }),
      stdout: result.stdout,
      stderr: result.stderr
    })
  }
  return outcomes
}

/** `agent test` on the agent in `dir`: its current agent.json, its last build (refused when stale). */
export async function testAgent (dir: string, signal?: AbortSignal): Promise<AgentTestReport> {
  const { fields, modules, entry } = await readBuiltAgent(dir)
  const pool = createNodeWorkerPool({ slots: 1 })
  try {
    const examples = await runExamples(fields, modules[entry.name]!, entry.sha256, pool, signal)
    const passed = examples.filter(example => example.pass).length
    return { agent: fields.name, version: fields.version, module: entry.name, sha256: entry.sha256, examples, passed, failed: examples.length - passed }
  } finally {
    pool.stop()
  }
}

/** The report as JSON (`--json`): stdout and stderr as text. */
export function testReportJson (report: AgentTestReport): string {
  const decoder = new TextDecoder()
  return JSON.stringify({
    ...report,
    examples: report.examples.map(({ stdout, stderr, ...outcome }) => ({ ...outcome, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) }))
  })
}
