/**
 * The set-up the workload tests (test/unit/workloads/) share: build
 * src/workloads/<id> from source as `npm run build:workloads` does (into a
 * temporary folder, with the clang of test/support/c-toolchain.ts) and run it
 * in a one-slot Node worker pool, with no environment and an all-zero seed.
 *
 *   let runner: WorkloadRunner
 *   beforeAll(async () => { runner = await startWorkloadRunner('gzip', limits) })
 *   afterAll(async () => { await runner?.stop() })
 *   const result = await runner.run('stdin', ['--flag'], [['in.txt', bytes]])
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compileWorkload, readWorkloadBuilds } from '../../src/build/build-workloads.ts'
import { sha256Hex } from '../../src/core/hash.ts'
import { createNodeWorkerPool } from '../../src/execution/node-host.node.ts'
import type { ExecutionResult, TaskLimits } from '../../src/execution/types.ts'
import { CLANG } from './c-toolchain.ts'

export type WorkFiles = Array<[string, Uint8Array]>

export interface WorkloadRunner {
  /** The workload's module, built from its source. */
  module: Uint8Array<ArrayBuffer>
  /** sha256Hex of `module`. */
  hash: string
  /** The temporary folder the modules are built in (removed by stop()); other test modules may be built here too. */
  dir: string
  /** Runs the workload: `stdin` (a string is UTF-8), argv[1..] and the files placed under /work. */
  run: (stdin: Uint8Array | string, args?: string[], files?: WorkFiles) => Promise<ExecutionResult>
  /** Runs another module on the same pool and limits. */
  runModule: (module: Uint8Array<ArrayBuffer>, stdin: Uint8Array | string, args?: string[], files?: WorkFiles) => Promise<ExecutionResult>
  /** Builds another workload into `dir`, as the runner's own was. */
  build: (id: string) => Promise<Uint8Array<ArrayBuffer>>
  /** Stops the pool and removes `dir`. */
  stop: () => Promise<void>
}

/** UTF-8 text of a run's stdout, stderr or file. */
export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

/** Builds workload `id` and starts a one-slot pool that runs it under `limits`. */
export async function startWorkloadRunner (id: string, limits: TaskLimits): Promise<WorkloadRunner> {
  const dir = await mkdtemp(join(tmpdir(), `zerostate-${id}-`))
  const pool = createNodeWorkerPool({ slots: 1 })
  const hashes = new WeakMap<Uint8Array, string>()
  const stop = async (): Promise<void> => {
    pool.stop()
    await rm(dir, { recursive: true, force: true })
  }
  const build = async (buildId: string): Promise<Uint8Array<ArrayBuffer>> => {
    const [spec] = await readWorkloadBuilds([buildId])
    const wasm = join(dir, `${buildId}.wasm`)
    await compileWorkload(spec!, wasm, CLANG)
    return new Uint8Array(await readFile(wasm))
  }
  const runModule = async (module: Uint8Array<ArrayBuffer>, stdin: Uint8Array | string, args: string[] = [], files: WorkFiles = []): Promise<ExecutionResult> => {
    let hash = hashes.get(module)
    if (hash === undefined) hashes.set(module, hash = sha256Hex(module))
    const bytes = typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin
    return await pool.run(hash, module, { args, env: [], stdin: bytes, files, seed: new Uint8Array(32) }, limits)
  }
  try {
    const module = await build(id)
    return {
      module,
      hash: sha256Hex(module),
      dir,
      run: async (stdin, args, files) => await runModule(module, stdin, args, files),
      runModule,
      build,
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}
