import { Worker as NodeWorker } from 'node:worker_threads'

const BOOTSTRAP = new URL('../../fixtures/node-worker-bootstrap.ts', import.meta.url)

/**
 * Just enough of the DOM `Worker` interface, over a Node worker thread, for
 * `WorkerPool` to drive workers/wasi-worker.ts in a unit test.
 */
export class NodeWebWorker extends EventTarget {
  private readonly thread: NodeWorker
  terminated = false

  constructor () {
    super()
    this.thread = new NodeWorker(BOOTSTRAP)
    this.thread.on('message', data => { this.dispatchEvent(new MessageEvent('message', { data })) })
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
