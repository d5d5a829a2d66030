/**
 * This tab's own sandbox, apart from the slots it contributes (the peer's
 * LocalSandbox, src/peer/local-sandbox.ts), in Web Workers, fetching sample
 * URLs relative to the page: to try a module before submitting it, to
 * measure the sandbox, and to measure this tab's speed for its Agent Card.
 */
import { WorkerPool } from '../execution/worker-pool.ts'
import { LocalSandbox as PeerLocalSandbox } from '../peer/local-sandbox.ts'
import { pageFetch } from './task-request.ts'

export class LocalSandbox extends PeerLocalSandbox {
  constructor () {
    super({ fetchModule: pageFetch, createPool: init => new WorkerPool(init) })
  }
}
