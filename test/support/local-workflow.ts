/**
 * The workflow runner's components over this machine: a dispatch twin that
 * runs each task in the real sandbox (a Node worker pool) instead of sending
 * it to a peer, the committed modules by sample id, and in-memory log, blobs
 * and memo. For tests that run a whole workflow on the real workloads.
 *
 *   const local = localWorkflow({ slots: 4 })
 *   const runner = await startWorkflow(local.components, { runId, spec, inputs, defaults: LOCAL_DEFAULTS })
 *   await runner.result(); local.stop()
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { DEFAULT_OUT_DIR } from '../../src/build/compile-samples.ts'
import { sha256Hex } from '../../src/core/hash.ts'
import { DEFAULT_FUEL, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS } from '../../src/core/limits.ts'
import { createNodeWorkerPool } from '../../src/execution/node-host.node.ts'
import type { TaskOutcome, ValidOffer } from '../../src/orchestration/task-protocol/index.ts'
import type { RunEvent } from '../../src/orchestration/workflow/scheduler/index.ts'
import type { MemoizedOutputs, WorkflowRunnerComponents, WorkflowTaskDefaults } from '../../src/orchestration/workflow/runner/index.ts'
import type { Receipt } from '../../src/receipts/index.ts'
import { memoryWorkflowStores } from './memory-workflow-stores.ts'

export const WORKLOADS_DIR = resolve(import.meta.dirname, '../../src/workloads')

/** The page's limits (what `window.zerostate.workflow` gives every step unless told otherwise), free, all-zero seed. */
export const LOCAL_DEFAULTS: WorkflowTaskDefaults = {
  timeoutMs: DEFAULT_TIMEOUT_MS, memoryLimitBytes: DEFAULT_MEMORY_LIMIT_BYTES, fuel: DEFAULT_FUEL, maxTotalPrice: 0, seed: new Uint8Array(32)
}

/**
 * A module by its sample id: a committed workload (src/workloads/<id>/<id>.wasm),
 * else a built AssemblyScript sample (public/samples/<id>.wasm; build them
 * first with ensureSamplesBuilt).
 */
export async function localModule (id: string): Promise<{ bytes: Uint8Array<ArrayBuffer>, hash: string }> {
  const workload = join(WORKLOADS_DIR, id, `${id}.wasm`)
  const path = existsSync(workload) ? workload : join(DEFAULT_OUT_DIR, `${id}.wasm`)
  const bytes = new Uint8Array(await readFile(path))
  return { bytes, hash: sha256Hex(bytes) }
}

/** The bytes behind a page URL `samples/<id>/<file>` (a workload's example, as the server serves it). */
export async function sampleFile (url: string): Promise<Uint8Array> {
  const match = /^samples\/([\w-]+)\/([\w.-]+)$/.exec(url)
  if (match === null) throw new RangeError(`not a sample example URL: ${url}`)
  return new Uint8Array(await readFile(join(WORKLOADS_DIR, match[1] as string, match[2] as string)))
}

export interface LocalWorkflow {
  components: WorkflowRunnerComponents
  blobs: Map<string, Uint8Array>
  logs: Map<string, RunEvent[]>
  /** Tasks run, by module id then step (from the task id). */
  tasks: string[]
  stop: () => void
}

export function localWorkflow (options: { slots?: number } = {}): LocalWorkflow {
  const pool = createNodeWorkerPool({ slots: options.slots ?? 4 })
  const blobs = new Map<string, Uint8Array>()
  const logs = new Map<string, RunEvent[]>()
  const memo = new Map<string, MemoizedOutputs>()
  const tasks: string[] = []
  const components: WorkflowRunnerComponents = {
    dispatch: {
      async runOnce (offer: ValidOffer, module: Uint8Array<ArrayBuffer>) {
        tasks.push(offer.taskId)
        const result = await pool.run(offer.moduleHash, module, { args: offer.args, env: offer.env, stdin: offer.stdin, files: offer.files, seed: offer.seed }, {
          timeoutMs: offer.timeoutMs, memoryLimitBytes: offer.memoryLimitBytes, fuel: offer.fuel
        })
        if (result.status !== 'ok' && result.status !== 'exit') {
          throw Object.assign(new Error(result.error?.message ?? result.status), { name: result.error?.name ?? 'TaskFailedError' })
        }
        // The runner keeps the receipt's hash and executor; nothing here checks a signature.
        const receipt = { taskId: offer.taskId, moduleHash: offer.moduleHash, outputHash: sha256Hex(result.stdout), exitCode: result.exitCode, executor: 'local' } as unknown as Receipt
        const outcome: TaskOutcome = { stdout: result.stdout, stderr: result.stderr, files: result.files, exitCode: result.exitCode, receipt }
        return { outcome, offer }
      }
    },
    modules: { load: localModule },
    ...memoryWorkflowStores(blobs, logs, memo),
    async settle () {}
  }
  return { components, blobs, logs, tasks, stop: () => { pool.stop() } }
}
