/**
 * Turning a SubmitRequest into a checked task offer: the module loaded (a
 * sample URL or bytes), every field checked as the executor will check it.
 */
import { hexToBytes, utf8ToBytes } from '../core/encoding.ts'
import { sha256HexAsync } from '../core/hash.ts'
import { DEFAULT_FUEL, DEFAULT_MAX_TOTAL_PRICE, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, MAX_MODULE_BYTES, TASK_SEED_BYTES } from '../core/limits.ts'
import { InvalidTaskMessageError, validateOffer } from '../orchestration/task-protocol/index.ts'
import type { ValidOffer } from '../orchestration/task-protocol/index.ts'
import type { ModuleFetch } from './context.ts'
import type { SubmitRequest } from './types.ts'

/** Loads the module (a string through `fetchModule`) and checks the request as the executor will, before anything is sent. */
export async function prepareTask (taskId: string, request: SubmitRequest, fetchModule: ModuleFetch, signal?: AbortSignal): Promise<{ module: Uint8Array<ArrayBuffer>, offer: ValidOffer }> {
  const module = await loadModule(request.module, fetchModule, signal)
  // Copied, so a caller that reuses its buffers cannot change a task in flight.
  const bytes = (data: Uint8Array | string): Uint8Array<ArrayBuffer> => typeof data === 'string' ? utf8ToBytes(data) : new Uint8Array(data)
  const offer = validateOffer({
    taskId,
    moduleHash: hexToBytes(await sha256HexAsync(module)),
    moduleSize: module.byteLength,
    stdin: bytes(request.stdin ?? ''),
    args: request.args ?? [],
    env: entries(request.env).map(([name, value]) => ({ name, value })),
    files: entries(request.files).map(([path, data]) => ({ path, data: bytes(data) })),
    seed: request.seed == null ? crypto.getRandomValues(new Uint8Array(TASK_SEED_BYTES)) : new Uint8Array(request.seed),
    timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    memoryLimitBytes: request.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES,
    fuel: BigInt(request.fuel ?? DEFAULT_FUEL),
    maxTotalPrice: BigInt(request.maxTotalPrice ?? DEFAULT_MAX_TOTAL_PRICE)
  })
  return { module, offer }
}

async function loadModule (module: Uint8Array | string, fetchModule: ModuleFetch, signal?: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
  let bytes: Uint8Array<ArrayBuffer>
  if (typeof module === 'string') {
    const response = await fetchModule(module, { signal })
    if (!response.ok) throw new InvalidTaskMessageError(`could not load the module at ${module}: HTTP ${response.status}`)
    bytes = new Uint8Array(await response.arrayBuffer())
  } else if (module instanceof Uint8Array) {
    bytes = new Uint8Array(module)
  } else {
    throw new TypeError('module must be a Uint8Array or the URL of a sample')
  }
  if (bytes.byteLength === 0) throw new InvalidTaskMessageError('the module is empty (0 bytes)')
  if (bytes.byteLength > MAX_MODULE_BYTES) {
    throw new InvalidTaskMessageError(`the module is ${bytes.byteLength} bytes; the limit is ${MAX_MODULE_BYTES}`)
  }
  return bytes
}

/** Accepts a record or a list of pairs, as callers find handier. */
function entries<T> (value: Record<string, T> | Array<[string, T]> | undefined): Array<[string, T]> {
  if (value == null) return []
  return Array.isArray(value) ? value : Object.entries(value)
}

/** A module URL's sample id (`samples/echo.wasm` → `echo`): the default label of a task. */
export function sampleLabel (url: string): string {
  return url.split('/').pop()?.replace(/\.wasm$/, '') ?? url
}
