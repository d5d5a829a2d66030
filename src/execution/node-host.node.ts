/**
 * The Node host: the same `WorkerPool` and the same src/execution/worker/wasi-worker.ts
 * as in the browser, over `node:worker_threads`. Node-only (the `.node.ts`
 * suffix keeps it out of the browser build and its tsconfig).
 *
 * @example
 * ```ts
 * const pool = createNodeWorkerPool({ slots: 1 })
 * const result = await pool.run(hash, bytes, input, limits)
 * pool.stop()
 * ```
 */
import { Worker as NodeWorker } from 'node:worker_threads'
import { WorkerPool } from './worker-pool.ts'
import type { WorkerPoolInit } from './worker-pool.ts'

const BOOTSTRAP = new URL('./node-worker-bootstrap.node.ts', import.meta.url)

/**
 * Just enough of the DOM `Worker` interface, over a Node worker thread, for
 * `WorkerPool` to drive src/execution/worker/wasi-worker.ts.
 */
export class NodeWebWorker extends EventTarget {
  private readonly thread: NodeWorker
  terminated = false

  constructor () {
    super()
    this.thread = new NodeWorker(BOOTSTRAP)
    // A plain Event carrying `data`: the pool reads only that, and Node's MessageEvent costs more to build.
    this.thread.on('message', data => { this.dispatchEvent(Object.assign(new Event('message'), { data })) })
    this.thread.on('error', (err: Error) => { this.dispatchEvent(Object.assign(new Event('error'), { message: err.message })) })
  }

  postMessage (message: unknown, transfer: Transferable[] = []): void {
    this.thread.postMessage(message, transfer as never)
  }

  terminate (): void {
    this.terminated = true
    void this.thread.terminate()
  }
}

/** A `WorkerPool` whose workers are Node worker threads. */
export function createNodeWorkerPool (init: Omit<WorkerPoolInit, 'createWorker'> = {}): WorkerPool {
  return new WorkerPool({ ...init, createWorker: () => new NodeWebWorker() as unknown as Worker })
}
