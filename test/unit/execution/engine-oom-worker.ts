/**
 * A Node worker thread for engine-oom.test.ts. Given `{ bytes, memoryLimitBytes }`
 * it compiles the module, takes wasm memories until the engine refuses one
 * and holds them — as a process full of other threads' instances would — runs
 * the module with `runWasiCommand`, lets go of the memories, runs it again,
 * and answers `{ count, outcomes }`: how many it took, and how each run ended.
 * Its own thread, so the shortage ends with it (the test terminates it).
 */
import { parentPort } from 'node:worker_threads'
import { DEFAULT_FUEL } from '../../../src/execution/constants.ts'
import { compileTaskModule } from '../../../src/execution/module-check.ts'
import { runWasiCommand } from '../../../src/execution/wasi-runner.ts'

if (parentPort === null) throw new Error('must run in a worker thread')
const port = parentPort

async function outcome (module: WebAssembly.Module, memoryLimitBytes: number): Promise<Record<string, unknown>> {
  const input = { args: [], env: [], stdin: new Uint8Array(0), files: [], seed: new Uint8Array(32) }
  try {
    const result = await runWasiCommand(module, input, { timeoutMs: 10_000, memoryLimitBytes, fuel: DEFAULT_FUEL })
    return { resolved: result.status, error: result.error }
  } catch (err) {
    return { rejected: (err as Error).name, message: (err as Error).message }
  }
}

port.once('message', (data: { bytes: Uint8Array, memoryLimitBytes: number }) => {
  void (async () => {
    const module = await compileTaskModule(data.bytes, { memoryLimitBytes: data.memoryLimitBytes, metered: true })
    let held: WebAssembly.Memory[] = []
    // One-page memories: each reserves its whole guard region, so the process runs out of them, not of RAM.
    try {
      for (;;) held.push(new WebAssembly.Memory({ initial: 1 }))
    } catch (err) {
      if (!(err instanceof RangeError)) throw err
    }
    const count = held.length
    const exhausted = await outcome(module, data.memoryLimitBytes)
    // Dropped, not collected: V8 collects this isolate and retries when the next instantiation is refused.
    held = []
    const freed = await outcome(module, data.memoryLimitBytes)
    port.postMessage({ count, outcomes: [exhausted, freed] })
  })()
})
