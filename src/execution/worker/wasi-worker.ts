/**
 * Module Web Worker that runs one WASI command at a time for the worker pool.
 * The pool terminates this worker to enforce a timeout, so nothing here
 * needs to be interruptible.
 */
import * as Comlink from 'comlink'
import { MEMORY_SIZE_MESSAGE } from '../constants.ts'
import type { ExecutionResult, MemorySizeMessage, TaskInput, TaskLimits, WasiWorkerApi } from '../types.ts'
import { runWasiCommand } from '../wasi-runner.ts'

/** Field values that survive structured cloning unchanged. */
function isCloneableField (value: unknown): boolean {
  return ['string', 'number', 'boolean'].includes(typeof value) || value instanceof Uint8Array
}

// comlink's built-in throw handler sends only name, message and stack; the
// typed errors also carry fields (TaskTrapError.stderr, UnsupportedImportError
// .importName). The receiving side's built-in handler copies every field of
// `value` onto a new Error, so only serialisation changes here.
const builtin = Comlink.transferHandlers.get('throw')
if (builtin !== undefined) {
  Comlink.transferHandlers.set('throw', {
    canHandle: builtin.canHandle,
    serialize (thrown: unknown) {
      const { value } = thrown as { value: unknown }
      if (!(value instanceof Error)) return builtin.serialize(thrown)
      const fields = Object.fromEntries(Object.entries(value).filter(([, field]) => isCloneableField(field)))
      return [{ isError: true, value: { ...fields, name: value.name, message: value.message, stack: value.stack } }, []]
    },
    deserialize: builtin.deserialize
  })
}

/**
 * Tells the pool the running task's memory size. Posted while the task's wasm
 * still runs on this thread: a dedicated worker's message goes to its
 * owner's port message queue (HTML, "Web workers", postMessage on the
 * worker's implicit port; a Node MessagePort likewise), so it is delivered on
 * the pool's side without waiting for this thread's event loop — which is
 * what lets a run the pool kills at its time limit report its memory peak.
 */
function postMemorySize (bytes: number): void {
  const message: MemorySizeMessage = { type: MEMORY_SIZE_MESSAGE, bytes }
  globalThis.postMessage(message)
}

const api: WasiWorkerApi = {
  async run (module: WebAssembly.Module, input: TaskInput, limits: TaskLimits, argv0: string): Promise<ExecutionResult> {
    const result = await runWasiCommand(module, input, limits, { argv0, onMemorySize: postMemorySize })
    // The runner returns fresh buffers, so moving them costs nothing and loses nothing.
    const files = [...result.files, ...(result.mountFiles ?? []).flat()]
    return Comlink.transfer(result, [result.stdout.buffer, result.stderr.buffer, ...files.map(([, bytes]) => bytes.buffer)])
  }
}

Comlink.expose(api)
