/**
 * Module Web Worker that runs one WASI command at a time for the worker pool,
 * over the messages of sandbox-protocol.ts. The pool terminates this worker
 * to enforce a timeout, so nothing here needs to be interruptible.
 */
import { MEMORY_SIZE_MESSAGE, RUN_FAILURE_MESSAGE, RUN_REQUEST_MESSAGE, RUN_RESULT_MESSAGE } from '../constants.ts'
import { MemoryCell, serializeError } from '../sandbox-protocol.ts'
import type { MemorySizeMessage, RunFailureMessage, RunRequest, RunResultMessage } from '../sandbox-protocol.ts'
import type { ExecutionResult } from '../types.ts'
import { type PreparedInstance, prepareInstance, runWasiCommand } from '../wasi-runner.ts'

/** The module this worker ran last, under the pool's key (see `RunRequest.module`). */
let last: { key: string, module: WebAssembly.Module } | undefined

/** Where this worker stores a task's memory size for its pool, once the pool has sent one (`RunRequest.memoryCell`). */
let memoryCell: Int32Array | undefined

/**
 * Initial memory up to which the worker keeps a fresh instance of the last
 * module ready for its next task: what a trivial task spends most on after
 * the messages is instantiation. Larger memories are not held idle.
 */
const PREPARE_MAX_MEMORY_BYTES = 4 << 20

/** A fresh instance of the last module, made for the next task of that key; never run (see `PreparedInstance`). */
let spare: { key: string, instance: PreparedInstance } | undefined

/**
 * Makes a fresh instance of the last module for the next task, once this
 * task's answer has gone out: the pool reads the answer and sends the next
 * task meanwhile. A module whose instantiation fails (a start function that
 * traps) gets none; its task instantiates and fails the same way — or, when
 * the engine was out of memory for wasm, fails as `SandboxOutOfMemoryError`
 * unless memory was freed meanwhile, never as the task's trap (wasi-runner.ts).
 */
function prepareNext (key: string, module: WebAssembly.Module): void {
  try {
    spare = { key, instance: prepareInstance(module) }
  } catch {
    spare = undefined
  }
}

/** The spare instance for `key`, if there is one; it is used once. */
function takeSpare (key: string): PreparedInstance | undefined {
  const taken = spare
  spare = undefined
  return taken?.key === key ? taken.instance : undefined
}

/**
 * Tells the pool the running task's memory size: in the shared cell when the
 * pool sent one (no message, no wake-up of the pool's thread), else as a
 * `MemorySizeMessage`.
 */
function reportMemorySize (bytes: number): void {
  if (memoryCell !== undefined) {
    MemoryCell.store(memoryCell, bytes)
    return
  }
  const message: MemorySizeMessage = { type: MEMORY_SIZE_MESSAGE, bytes }
  globalThis.postMessage(message)
}

async function run (request: RunRequest): Promise<ExecutionResult> {
  const { moduleKey, knownMemoryBytes } = request
  if (request.module !== null) last = { key: moduleKey, module: request.module }
  if (request.memoryCell !== null) memoryCell = request.memoryCell
  // The pool tracks what it sent this worker; a mismatch is its bug, not the task's.
  if (last?.key !== moduleKey) throw new Error(`Sandbox worker does not hold module ${moduleKey}`)
  const prepared = takeSpare(moduleKey)
  // A message costs the pool's thread a wake-up: sizes it already counts on are not sent.
  const onMemorySize = (bytes: number): void => { if (bytes > knownMemoryBytes) reportMemorySize(bytes) }
  return runWasiCommand(last.module, request.input, request.limits, { argv0: request.argv0, onMemorySize, ...(prepared === undefined ? {} : { prepared }) })
}

async function answer (request: RunRequest): Promise<void> {
  try {
    const result = await run(request)
    // The runner returns fresh buffers, so moving them costs nothing and loses nothing.
    const files = [...result.files, ...(result.mountFiles ?? []).flat()]
    const message: RunResultMessage = { type: RUN_RESULT_MESSAGE, result }
    globalThis.postMessage(message, { transfer: [result.stdout.buffer, result.stderr.buffer, ...files.map(([, bytes]) => bytes.buffer)] })
  } catch (err) {
    const message: RunFailureMessage = { type: RUN_FAILURE_MESSAGE, error: serializeError(err) }
    globalThis.postMessage(message)
  }
  if (last !== undefined && request.knownMemoryBytes <= PREPARE_MAX_MEMORY_BYTES) prepareNext(last.key, last.module)
}

globalThis.addEventListener('message', (event: MessageEvent) => {
  const request = event.data as Partial<RunRequest> | null
  if (request?.type === RUN_REQUEST_MESSAGE) void answer(request as RunRequest)
})
