import { hexToBytes, sha256Hex, utf8ToBytes } from '../../src/core/index.ts'
import type { TaskOffer } from '../../src/orchestration/task-protocol/pb/task.ts'

/**
 * A wire offer for `module` with `stdin`: a fresh task id, no args, env or
 * files, a fixed seed, and generous limits and budget; `overrides` set anything else.
 */
export function wireOffer (module: Uint8Array, stdin: string | Uint8Array<ArrayBuffer>, overrides: Partial<TaskOffer> = {}): TaskOffer {
  return {
    taskId: crypto.randomUUID(),
    moduleHash: hexToBytes(sha256Hex(module)),
    moduleSize: module.byteLength,
    stdin: typeof stdin === 'string' ? utf8ToBytes(stdin) : stdin,
    args: [],
    env: [],
    files: [],
    seed: new Uint8Array(32).fill(7),
    timeoutMs: 10_000,
    memoryLimitBytes: 64 * 1024 * 1024,
    fuel: 10_000_000_000n,
    maxTotalPrice: 1_000_000n,
    ...overrides
  }
}
