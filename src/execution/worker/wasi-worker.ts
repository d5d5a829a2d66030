/**
 * Module Web Worker that runs one WASI command at a time for the worker pool.
 * The pool terminates this worker to enforce a timeout, so nothing here
 * needs to be interruptible.
 */
import * as Comlink from 'comlink'
import { MEMORY_SIZE_MESSAGE } from '../constants.ts'
import type { ExecutionResult, MemorySizeMessage, TaskInput, TaskLimits, WasiWorkerApi } from '../types.ts'
import { type PreparedInstance, prepareInstance, runWasiCommand } from '../wasi-runner.ts'

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

/** The module this worker ran last, under the pool's key (see `WasiWorkerApi.run`). */
let last: { key: string, module: WebAssembly.Module } | undefined

/**
 * Initial memory up to which the worker keeps a fresh instance of the last
 * module ready for its next task: what a trivial task spends most on after
 * the messages is instantiation. Larger memories are not held idle.
 */
const PREPARE_MAX_MEMORY_BYTES = 4 << 20

/** A fresh instance of `last.module` being made for the next task, or made; never run (see `PreparedInstance`). */
let spare: { key: string, timer?: ReturnType<typeof setTimeout>, instance?: Promise<PreparedInstance | undefined> } | undefined

/** Prepares a fresh instance of the last module once this task's result has gone out (a timer: after the reply). */
function prepareNext (key: string, module: WebAssembly.Module): void {
  const next: NonNullable<typeof spare> = { key }
  next.timer = setTimeout(() => {
    next.timer = undefined
    next.instance = prepareInstance(module).catch(() => undefined)
  }, 0)
  spare = next
}

/** The spare instance for `key`, if there is one (waiting for it if it is being made); it is used once. */
async function takeSpare (key: string): Promise<PreparedInstance | undefined> {
  const taken = spare
  spare = undefined
  if (taken === undefined) return undefined
  if (taken.timer !== undefined) clearTimeout(taken.timer)
  if (taken.key !== key || taken.instance === undefined) return undefined
  return taken.instance
}

const api: WasiWorkerApi = {
  async run (module: WebAssembly.Module | null, moduleKey: string, input: TaskInput, limits: TaskLimits, argv0: string, knownMemoryBytes: number): Promise<ExecutionResult> {
    if (module !== null) last = { key: moduleKey, module }
    // The pool tracks what it sent this worker; a mismatch is its bug, not the task's.
    if (last?.key !== moduleKey) throw new Error(`Sandbox worker does not hold module ${moduleKey}`)
    const prepared = await takeSpare(moduleKey)
    // A message costs the pool's thread a wake-up: sizes it already counts on are not sent.
    const onMemorySize = (bytes: number): void => { if (bytes > knownMemoryBytes) postMemorySize(bytes) }
    const result = await runWasiCommand(last.module, input, limits, { argv0, onMemorySize, ...(prepared === undefined ? {} : { prepared }) })
    if (knownMemoryBytes <= PREPARE_MAX_MEMORY_BYTES) prepareNext(last.key, last.module)
    // The runner returns fresh buffers, so moving them costs nothing and loses nothing.
    const files = [...result.files, ...(result.mountFiles ?? []).flat()]
    return Comlink.transfer(result, [result.stdout.buffer, result.stderr.buffer, ...files.map(([, bytes]) => bytes.buffer)])
  }
}

Comlink.expose(api)
