import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim'
import { DEFAULT_ARGV0, MAX_STDERR_BYTES, MAX_STDOUT_BYTES, PROVIDED_WASI_FUNCTIONS, WASI_MODULE } from './constants.ts'
import { MemoryLimitError, OutputTooLargeError, TaskTimeoutError, TaskTrapError } from './errors.ts'
import { assertWasiCommand } from './module-check.ts'
import { OutputSink } from './output-sink.ts'
import type { ExecutionResult, TaskInput, TaskLimits } from './types.ts'

export interface RunWasiCommandOptions {
  /** argv[0]; the module hash when the caller knows it, else "task". */
  argv0?: string
}

type WasiFunction = (...args: any[]) => unknown

interface WasiCommandInstance {
  exports: { memory: WebAssembly.Memory, _start: () => unknown }
}

const utf8 = new TextEncoder()

/**
 * Runs a WASI preview1 command to completion on the calling thread, with
 * argv = [argv0, ...input.args], an empty environment, stdin from memory,
 * stdout/stderr captured, no preopened directories and nothing but the WASI
 * imports in `PROVIDED_WASI_FUNCTIONS`.
 *
 * A running module cannot be interrupted from the same thread, so
 * `limits.timeoutMs` is only checked whenever the module calls into WASI;
 * the hard limit is the worker pool terminating the worker.
 */
export async function runWasiCommand (module: WebAssembly.Module, input: TaskInput, limits: TaskLimits, options: RunWasiCommandOptions = {}): Promise<ExecutionResult> {
  assertWasiCommand(module)
  const args = [options.argv0 ?? DEFAULT_ARGV0, ...input.args]
  const stdout = new OutputSink('stdout', MAX_STDOUT_BYTES)
  const stderr = new OutputSink('stderr', MAX_STDERR_BYTES)
  const wasi = new WASI(args, [], [
    new OpenFile(new File(input.stdin, { readonly: true })),
    new ConsoleStdout(chunk => { stdout.write(chunk) }),
    new ConsoleStdout(chunk => { stderr.write(chunk) })
  ])
  const deadline = performance.now() + limits.timeoutMs

  let instance: WasiCommandInstance | undefined
  let startedAt = Date.now()
  let started = performance.now()
  let exitCode: number
  try {
    const imports = linkWasi(wasi, args, deadline)
    instance = await WebAssembly.instantiate(module, { [WASI_MODULE]: imports }) as unknown as WasiCommandInstance
    startedAt = Date.now()
    started = performance.now()
    // The shim returns 0 when `_start` returns and n when the module calls proc_exit(n).
    exitCode = wasi.start(instance) >>> 0
  } catch (err) {
    throw toTaskError(err, stderr, memoryNote(instance, limits))
  }
  const durationMs = performance.now() - started

  const memoryBytes = instance.exports.memory.buffer.byteLength
  if (memoryBytes > limits.memoryLimitBytes) {
    throw new MemoryLimitError(`Task grew its memory to ${memoryBytes} bytes; the limit is ${limits.memoryLimitBytes}`)
  }
  return { stdout: stdout.bytes(), stderr: stderr.bytes(), exitCode, startedAt, durationMs }
}

/**
 * The import object: only the provided functions, each first checking the
 * deadline so a task that keeps calling WASI cannot outlive its limit even
 * where nobody terminates the thread.
 */
function linkWasi (wasi: WASI, args: string[], deadline: number): Record<string, WasiFunction> {
  const functions: Record<string, WasiFunction> = {
    ...wasi.wasiImport,
    // The shim (0.4.2) sizes argv by UTF-16 length while args_get writes UTF-8,
    // so a non-ASCII argument would overflow the module's buffer. WASI
    // preview1 args_sizes_get: (argc ptr, argv_buf_size ptr) → errno.
    args_sizes_get: (argcPtr: number, bufSizePtr: number): number => {
      const view = new DataView(wasi.inst.exports.memory.buffer)
      const size = args.reduce((total, arg) => total + utf8.encode(arg).byteLength + 1, 0)
      view.setUint32(argcPtr, args.length, true)
      view.setUint32(bufSizePtr, size, true)
      return 0
    }
  }
  const linked: Record<string, WasiFunction> = {}
  for (const name of PROVIDED_WASI_FUNCTIONS) {
    const fn = functions[name]
    if (fn === undefined) continue
    linked[name] = (...callArgs: unknown[]) => {
      if (performance.now() > deadline) throw new TaskTimeoutError('Task ran past its time limit')
      return fn(...callArgs)
    }
  }
  return linked
}

/**
 * A failed `memory.grow` is not a trap by itself: the module sees -1 and most
 * runtimes (AssemblyScript's, Rust's) then execute `unreachable`. The engine
 * cannot tell us which grow failed, so every trap reports memory in use
 * against the limit and the reader can judge.
 */
function memoryNote (instance: WasiCommandInstance | undefined, limits: TaskLimits): string {
  if (instance === undefined) return ''
  return ` (memory in use: ${instance.exports.memory.buffer.byteLength} of ${limits.memoryLimitBytes} bytes allowed)`
}

/** Maps whatever escaped the module to a typed error; our own typed errors pass through. */
function toTaskError (err: unknown, stderr: OutputSink, note: string): Error {
  if (err instanceof OutputTooLargeError || err instanceof TaskTimeoutError) return err
  // RuntimeError is a trap; anything else (stack overflow RangeError, a bad
  // pointer handed to the shim) is also the module's doing.
  const message = err instanceof Error ? err.message : String(err)
  return new TaskTrapError(`Task trapped: ${message}${note}`, stderr.bytes())
}
