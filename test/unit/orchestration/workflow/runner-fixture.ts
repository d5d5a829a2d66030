/**
 * In-memory twins of the workflow runner's components for its unit tests:
 * a fake dispatch that runs a small JS function per module (by the module's
 * hash) to produce stdout and files, content-addressed blobs (real
 * SHA-256), a log and a memo; and the documented example's modules.
 */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'
import type { TaskOutcome, ValidOffer } from '../../../../src/orchestration/task-protocol/index.ts'
import { parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { StepSpec, WorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { RunEvent } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import { taskIdOf } from '../../../../src/orchestration/workflow/runner/index.ts'
import type { MemoizedOutputs, WorkflowRunnerComponents, WorkflowTaskDefaults } from '../../../../src/orchestration/workflow/runner/index.ts'
import { memoryWorkflowStores } from '../../../support/memory-workflow-stores.ts'

/** What a fake module sees of its task, and what it gives back. */
export interface FakeTask { stdin: string, args: string[], env: Record<string, string>, files: Record<string, string>, taskId: string }
export interface FakeResult { stdout: string, files?: Record<string, string>, exitCode?: number }
export type FakeModule = (task: FakeTask) => FakeResult | Promise<FakeResult>

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
export const moduleBytes = (name: string): Uint8Array<ArrayBuffer> => utf8ToBytes(`\0asm fake module ${name}`)
export const moduleHash = (name: string): string => sha256Hex(moduleBytes(name))

export const HASHED = new Map(['split', 'count'].map(name => [moduleHash(name), name]))

export interface Call { taskId: string, module: string, stdin: string }

/** Components over maps; `modules` maps a module ref (sample id or sha256:<hex>) to its fake. */
export function fakes (modules: Record<string, FakeModule>, stored: { blobs: Map<string, Uint8Array>, logs: Map<string, RunEvent[]> } = { blobs: new Map(), logs: new Map() }) {
  const byHash = new Map<string, { name: string, run: FakeModule }>()
  const refs = new Map<string, string>()
  for (const [ref, run] of Object.entries(modules)) {
    // A module named by its hash is one of ours: `sha256:` + moduleHash(name).
    const name = ref.startsWith('sha256:') ? (HASHED.get(ref.slice('sha256:'.length)) ?? ref) : ref
    byHash.set(moduleHash(name), { name, run })
    refs.set(ref, name)
  }
  const { blobs, logs } = stored
  const memo = new Map<string, MemoizedOutputs>()
  const calls: Call[] = []
  const settled: string[] = []
  const running = new Set<string>()
  let maxRunning = 0
  const concurrent: string[][] = []

  const components = {
    dispatch: {
      async runOnce (offer: ValidOffer, module: Uint8Array<ArrayBuffer>, _requirements: unknown, _request: unknown, options: { signal?: AbortSignal } = {}) {
        const fake = byHash.get(offer.moduleHash)
        if (fake === undefined) throw Object.assign(new Error('no such module'), { name: 'NoExecutorError' })
        expect(sha256Hex(module)).toBe(offer.moduleHash)
        // Every event is in the log before the runner acts on it: here, the attempt's `started`.
        const logged = [...logs].some(([runId, events]) => events.some(e => e.type === 'started' && taskIdOf(runId, e) === offer.taskId))
        if (!logged) throw new Error(`${offer.taskId} was sent before its started event was logged`)
        calls.push({ taskId: offer.taskId, module: fake.name, stdin: text(offer.stdin) })
        running.add(offer.taskId)
        maxRunning = Math.max(maxRunning, running.size)
        concurrent.push([...running])
        try {
          // A turn of the event loop, so tasks sent together are seen running together.
          await new Promise(resolve => setTimeout(resolve, 5))
          const task: FakeTask = {
            stdin: text(offer.stdin), args: offer.args, env: Object.fromEntries(offer.env),
            files: Object.fromEntries(offer.files.map(([path, data]) => [path, text(data)])), taskId: offer.taskId
          }
          const signal = options.signal
          const result = await Promise.race([
            Promise.resolve(fake.run(task)),
            new Promise<never>((_resolve, reject) => {
              if (signal?.aborted === true) reject(signal.reason)
              signal?.addEventListener('abort', () => { reject(signal.reason) })
            })
          ])
          const stdout = utf8ToBytes(result.stdout)
          const receipt = { taskId: offer.taskId, moduleHash: offer.moduleHash, outputHash: sha256Hex(stdout), exitCode: result.exitCode ?? 0 } as unknown as Receipt
          const outcome: TaskOutcome = {
            stdout, stderr: utf8ToBytes(result.exitCode === undefined ? '' : 'it broke'),
            files: Object.entries(result.files ?? {}).map(([path, data]) => [path, utf8ToBytes(data)]),
            exitCode: result.exitCode ?? 0, receipt
          }
          return { outcome, offer }
        } finally {
          running.delete(offer.taskId)
        }
      }
    },
    modules: {
      async load (ref: string) {
        const name = refs.get(ref)
        if (name === undefined) throw Object.assign(new Error(`no module ${ref}`), { name: 'ModuleNotFoundError' })
        return { bytes: moduleBytes(name), hash: moduleHash(name) }
      }
    },
    ...memoryWorkflowStores(blobs, logs, memo),
    async settle (outcome: TaskOutcome) { settled.push(outcome.receipt.taskId) }
  } satisfies WorkflowRunnerComponents
  return {
    components, blobs, logs, memo, calls, settled, concurrent,
    get maxRunning () { return maxRunning },
    /** The step names of the tasks dispatched, from their task ids. */
    steps: (runId: string) => calls.map(call => call.taskId.slice(runId.length + 1).replace(/-\d+$/, ''))
  }
}

export const defaults: WorkflowTaskDefaults = {
  timeoutMs: 10_000, memoryLimitBytes: 1 << 24, fuel: 1_000_000, maxTotalPrice: 100, seed: new Uint8Array(32).fill(7)
}
export const spec = (tasks: StepSpec[], inputs: WorkflowSpec['inputs'] = undefined, outputs: WorkflowSpec['outputs'] = undefined): WorkflowSpec =>
  ({ version: 1, ...(inputs === undefined ? {} : { inputs }), ...(outputs === undefined ? {} : { outputs }), dag: { tasks } })
export const echo: FakeModule = task => ({ stdout: `${task.args.join(' ')}${task.stdin}` })

export async function waitFor (check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

// The documented example, with its two sha256: modules named by the hashes of our fakes.
export const doc = readFileSync(new URL('../../../../docs/workflow-spec.md', import.meta.url), 'utf8')
export const yaml = (/```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '')
  .replace(/sha256:5e1d[0-9a-f]{60}/, `sha256:${moduleHash('split')}`)
  .replace(/sha256:c0a1[0-9a-f]{60}/, `sha256:${moduleHash('count')}`)
export const example = parseWorkflowSpec(yaml)

export const exampleModules = (overrides: Record<string, FakeModule> = {}): Record<string, FakeModule> => ({
  [`sha256:${moduleHash('split')}`]: task => {
    const size = Number(task.args[task.args.indexOf('--lines') + 1])
    const lines = task.stdin.split('\n').filter(line => line !== '')
    const chunks: string[] = []
    for (let i = 0; i < lines.length; i += size) chunks.push(lines.slice(i, i + size).join('\n'))
    return { stdout: JSON.stringify({ chunks }) }
  },
  'lang-detect': task => ({ stdout: task.stdin.split('\n').map(line => JSON.stringify({ lang: line.split(':')[0] })).join('\n') + '\n' }),
  [`sha256:${moduleHash('count')}`]: task => {
    // Each entry is an item's stdout: one JSON object per line (already read as JSON when it was one line).
    const entries = JSON.parse(task.stdin) as unknown[]
    const perLanguage: Record<string, number> = {}
    let total = 0
    for (const entry of entries) {
      const rows = typeof entry === 'string' ? entry.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as Record<string, string>) : [entry as Record<string, string>]
      for (const row of rows) {
        const lang = row[task.env.COUNT_FIELD ?? ''] as string
        perLanguage[lang] = (perLanguage[lang] ?? 0) + 1
        total++
      }
    }
    const counts = JSON.stringify({ total, perLanguage })
    return { stdout: counts, files: { 'counts.json': counts } }
  },
  gzip: () => ({ stdout: 'gz' }),
  ...overrides
})

/** 450 lines: 200 + 200 + 50, so three chunks and three detect items. */
export const inputText = Array.from({ length: 450 }, (_, i) => `${['eng', 'fra', 'deu'][i % 3] as string}: line ${i}`).join('\n') + '\n'
export const expectedCounts = JSON.stringify({ total: 450, perLanguage: { eng: 150, fra: 150, deu: 150 } })
