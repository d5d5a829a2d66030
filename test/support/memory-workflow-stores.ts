/**
 * In-memory twins of the workflow runner's stores — content-addressed blobs
 * (real SHA-256), the run log (each event stored as JSON, as IndexedDB
 * would, so a test cannot mutate what was logged) and the memo — over maps
 * the test may share between runners (a reload keeps the store).
 */
import { sha256Hex } from '../../src/core/index.ts'
import type { BlobStore, MemoizedOutputs, MemoStore, RunLog } from '../../src/orchestration/workflow/runner/index.ts'
import type { RunEvent } from '../../src/orchestration/workflow/scheduler/index.ts'

export interface MemoryWorkflowStores {
  blobs: BlobStore
  log: RunLog
  memo: MemoStore
}

const copy = (event: RunEvent): RunEvent => JSON.parse(JSON.stringify(event)) as RunEvent

export function memoryWorkflowStores (
  blobs = new Map<string, Uint8Array>(), logs = new Map<string, RunEvent[]>(), memo = new Map<string, MemoizedOutputs>()
): MemoryWorkflowStores {
  return {
    blobs: {
      async put (bytes) {
        const hash = sha256Hex(bytes)
        blobs.set(hash, new Uint8Array(bytes))
        return hash
      },
      async get (hash) { return blobs.get(hash) }
    },
    log: {
      async append (runId, event) { logs.set(runId, [...(logs.get(runId) ?? []), copy(event)]) },
      async load (runId) { return (logs.get(runId) ?? []).map(copy) }
    },
    memo: {
      async get (key) { return memo.get(key) },
      async put (key, outputs) { memo.set(key, outputs) }
    }
  }
}
