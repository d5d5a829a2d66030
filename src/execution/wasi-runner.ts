/**
 * Runs one WASI preview1 command on the calling thread, deterministically:
 * everything the module can observe comes from its `TaskInput` — argv, the
 * environment, stdin, the files in `/work`, and a clock and random source
 * derived from the seed (see virtual-clock.ts, seeded-random.ts). Two runs of
 * the same module on the same input produce the same bytes and spend the same
 * fuel. Only the host-side figures (`startedAt`, `durationMs`) differ, and
 * `timeout`, which depends on the executor's speed.
 */
import { DEFAULT_ARGV0, MAX_STDERR_BYTES, NO_EXIT_CODE, MAX_STDOUT_BYTES, TASK_SEED_BYTES, WASI_MODULE, WASM_PAGE_BYTES, WORK_DIR } from './constants.ts'
import { MemoryLimitError, OutOfFuelError, OutputTooLargeError, SandboxOutOfMemoryError, TaskTimeoutError, TaskTrapError, UnsupportedWasiCallError } from './errors.ts'
import { FUEL_GLOBAL_EXPORT, MEMORY_GROWTH_IMPORT_MODULE, MEMORY_GROWTH_IMPORT_NAME } from './metering/constants.ts'
import { assertWasiCommand, moduleInterface } from './module-check.ts'
import { OutputSink } from './output-sink.ts'
import { SeededRandom } from './seeded-random.ts'
import type { ExecutionResult, TaskInput, TaskLimits, TaskStatus } from './types.ts'
import { CLOCK_REALTIME, VirtualClock } from './virtual-clock.ts'
import { DIRECTORY_RIGHTS, INHERITABLE_RIGHTS } from './wasi/abi.ts'
import { DescriptorTable, DirDescriptor, OutputDescriptor, StdinDescriptor } from './wasi/descriptors.ts'
import { FileTreeContext } from './wasi/file-tree.ts'
import type { DirNode } from './wasi/file-tree.ts'
import { linkWasiImports, ProcExit } from './wasi-imports.ts'
import { changedFiles, createWorkDirectory, WorkQuota } from './work-directory.ts'

export interface RunWasiCommandOptions {
  /** argv[0]; the module hash when the caller knows it, else "task". */
  argv0?: string
  /**
   * Called with the size of the module's linear memory (its `memory` export),
   * in bytes, each time it is seen larger than before: once instantiated,
   * after every `memory.grow` of a metered module (the meter's growth hook,
   * `MEMORY_GROWTH_IMPORT_*`), and at each WASI call. The sandbox worker
   * posts it to the pool, the only figure the pool has for a run it
   * terminates at its time limit. Whatever it throws is ignored.
   */
  onMemorySize?(bytes: number): void
  /**
   * An instance of `module` made ahead of the task by `prepareInstance`, to
   * run instead of instantiating now; used once. Ignored when it is of
   * another module.
   */
  prepared?: PreparedInstance
}

/**
 * A fresh instance made before its task arrives (the sandbox worker makes
 * one while it waits for the next task of the module it just ran), so the
 * task does not wait for instantiation. Fresh is the point: it has never
 * run, so its memory and globals are as the module declares them, exactly as
 * if instantiated for the task; it is used for one task only. Its imports
 * forward to the functions `bind` gives them, the task's own.
 */
export interface PreparedInstance {
  module: WebAssembly.Module
  instance: WebAssembly.Instance
  bind(wasi: Record<string, (...args: any[]) => unknown>, memoryGrew: () => void): void
}

/**
 * Instantiates `module` ahead of a task (see `PreparedInstance`), at once:
 * on the sandbox worker's thread nothing else is waiting, and the promise of
 * `WebAssembly.instantiate` would only add a turn of the event loop. Throws
 * when instantiation fails — a start function runs at instantiation, before
 * any task is bound, and a metered one runs out of its zero budget — and the
 * caller then instantiates at the task as usual, which fails the same way.
 */
export function prepareInstance (module: WebAssembly.Module): PreparedInstance {
  let wasi: Record<string, (...args: any[]) => unknown> = {}
  let memoryGrew = (): void => {}
  const forwarded: Record<string, (...args: unknown[]) => unknown> = {}
  for (const { module: from, name, kind } of moduleInterface(module).imports) {
    if (from !== WASI_MODULE || kind !== 'function') continue
    forwarded[name] = (...args) => (wasi[name] as (...args: unknown[]) => unknown)(...args)
  }
  const instance = new WebAssembly.Instance(module, {
    [WASI_MODULE]: forwarded,
    [MEMORY_GROWTH_IMPORT_MODULE]: { [MEMORY_GROWTH_IMPORT_NAME]: () => { memoryGrew() } }
  })
  return { module, instance, bind (task, grew) { wasi = task; memoryGrew = grew } }
}

interface WasiCommandInstance {
  exports: { memory: WebAssembly.Memory, _start: () => unknown, [name: string]: unknown }
}

/**
 * Runs `module` to completion with argv = [argv0, ...input.args], exactly
 * `input.env`, stdin from memory, stdout/stderr captured, `input.files` in
 * the preopened directory `/work` (fd 3, and again as `.` at fd 4; neither
 * when `input.preopenWork` is false), `input.mounts` after them, and the fuel budget set when the module is
 * metered (exports `zerostate_fuel`).
 *
 * A run that starts resolves with a status, never rejects:
 * - ok / exit: `_start` returned or called `proc_exit(0)` / `proc_exit(n ≠ 0)`;
 * - out-of-fuel (OutOfFuelError): the fuel counter went below zero;
 * - memory-limit (MemoryLimitError): it trapped with memory within one
 *   doubling of the cap (a failed `memory.grow` is invisible; see `nearCap`);
 * - timeout (TaskTimeoutError): it called WASI after `limits.timeoutMs`
 *   (the hard limit is the pool terminating the worker);
 * - trap: any other trap (TaskTrapError, stack overflow included), output
 *   past its cap (OutputTooLargeError, with the output kept so far), or a
 *   call to a WASI function the sandbox lacks (UnsupportedWasiCallError).
 *
 * Rejects only before the run: `NotWasiCommandError`/`UnsupportedImportError`
 * for a module the runner cannot link, `RangeError`/`TypeError` for bad input,
 * and `SandboxOutOfMemoryError` when the engine could not allocate the
 * instance's memory (see `engineOutOfMemory`): nothing ran, and no status
 * would be true of the task. Callers check a declared memory against the cap
 * before (`compileTaskModule` refuses one over it), so the memory the engine
 * refused was within it.
 */
export async function runWasiCommand (module: WebAssembly.Module, input: TaskInput, limits: TaskLimits, options: RunWasiCommandOptions = {}): Promise<ExecutionResult> {
  assertWasiCommand(module, { instrumented: true })
  checkInput(input, limits)
  const args = [options.argv0 ?? DEFAULT_ARGV0, ...input.args]
  const stdout = new OutputSink('stdout', MAX_STDOUT_BYTES)
  const stderr = new OutputSink('stderr', MAX_STDERR_BYTES)
  const clock = new VirtualClock(input.seed)
  // Every inode's times start at the run's virtual start and move with its clock.
  const tree = new FileTreeContext(() => clock.peek(CLOCK_REALTIME))
  const work = createWorkDirectory(input.files, tree)
  const mounts = (input.mounts ?? []).map(mount => ({ ...mount, dir: createWorkDirectory(mount.files, tree) }))
  const preopen = (dir: DirNode, path: string): DirDescriptor => new DirDescriptor(dir, DIRECTORY_RIGHTS, INHERITABLE_RIGHTS, 0, path)
  const fds = new DescriptorTable([
    new StdinDescriptor(input.stdin),
    new OutputDescriptor(chunk => { stdout.write(chunk) }),
    new OutputDescriptor(chunk => { stderr.write(chunk) }),
    // The same directory again as ".": wasi-libc (C, Rust std) resolves a
    // relative path against the cwd "/" and looks for a preopen matching it;
    // without this, fopen("data.txt") would fail where wasmtime --dir . works.
    ...(input.preopenWork === false ? [] : [preopen(work, WORK_DIR), preopen(work, '.')]),
    ...mounts.map(mount => preopen(mount.dir, mount.path))
  ])
  let memory: WebAssembly.Memory | undefined
  let reportedBytes = 0
  // Called from the module (the growth hook, WASI calls): it must neither trap
  // nor take long, so it reports only growth, and never throws. It only reads
  // the size, so what the module computes and the fuel it uses are unchanged.
  // Until instantiation returns (a start function) the memory is unknown; it
  // is reported right after.
  const reportMemory = (): void => {
    const bytes = memory?.buffer.byteLength ?? 0
    if (bytes <= reportedBytes || options.onMemorySize === undefined) return
    reportedBytes = bytes
    try {
      options.onMemorySize(bytes)
    } catch {
      // A lost report makes a timed-out run's memory figure a lower bound; it must not change the run.
    }
  }
  const imports = linkWasiImports(module, {
    memory: () => memory as WebAssembly.Memory,
    args,
    env: input.env.map(([name, value]) => `${name}=${value}`),
    fds,
    tree,
    clock,
    random: new SeededRandom(input.seed),
    quota: new WorkQuota([work, ...mounts.map(mount => mount.dir)]),
    deadline: performance.now() + limits.timeoutMs,
    onCall: reportMemory
  })

  let instance: WasiCommandInstance | undefined
  let fuel: WebAssembly.Global | undefined
  let startedAt = Date.now()
  let started = performance.now()
  let exitCode = 0
  let failure: unknown
  let failed = false
  try {
    if (options.prepared?.module === module) {
      options.prepared.bind(imports, reportMemory)
      instance = options.prepared.instance as unknown as WasiCommandInstance
    } else {
      instance = await WebAssembly.instantiate(module, {
        [WASI_MODULE]: imports,
        [MEMORY_GROWTH_IMPORT_MODULE]: { [MEMORY_GROWTH_IMPORT_NAME]: reportMemory }
      }) as unknown as WasiCommandInstance
    }
    memory = instance.exports.memory
    reportMemory()
    const global = instance.exports[FUEL_GLOBAL_EXPORT]
    if (global instanceof WebAssembly.Global) {
      fuel = global
      fuel.value = BigInt(limits.fuel)
    }
    startedAt = Date.now()
    started = performance.now()
    try {
      instance.exports._start()
    } catch (err) {
      if (!(err instanceof ProcExit)) throw err
      exitCode = err.code >>> 0
    }
  } catch (err) {
    failure = err
    failed = true
  }
  // The instance was never made, so the module did nothing: the engine's refusal is the host's failure, not a trap.
  const hostFailure = instance === undefined ? engineOutOfMemory(failure) : undefined
  if (hostFailure !== undefined) throw hostFailure
  const durationMs = performance.now() - started
  const memoryPeakBytes = instance?.exports.memory.buffer.byteLength ?? 0
  const remaining = fuel === undefined ? undefined : fuel.value as bigint
  const outOfFuel = remaining !== undefined && remaining < 0n
  const ended = {
    stdout: stdout.bytes(),
    stderr: stderr.bytes(),
    startedAt,
    durationMs,
    // Nothing ran when instantiation failed (a data segment that does not fit traps there).
    fuelUsed: instance === undefined ? 0 : remaining === undefined ? null : outOfFuel ? limits.fuel : limits.fuel - Number(remaining),
    memoryPeakBytes,
    files: changedFiles(work, input.files),
    ...(input.mounts === undefined ? {} : { mountFiles: mounts.map(mount => changedFiles(mount.dir, mount.files)) })
  }
  if (!failed && !outOfFuel && memoryPeakBytes <= limits.memoryLimitBytes) {
    return { status: exitCode === 0 ? 'ok' : 'exit', exitCode, ...ended }
  }
  const [status, error] = classify(failure, outOfFuel, memoryPeakBytes, limits)
  return { status, exitCode: NO_EXIT_CODE, ...ended, error: { name: error.name, message: error.message } }
}

function checkInput (input: TaskInput, limits: TaskLimits): void {
  if (!(input.seed instanceof Uint8Array) || input.seed.byteLength !== TASK_SEED_BYTES) {
    throw new RangeError(`seed must be ${TASK_SEED_BYTES} bytes`)
  }
  for (const [name, value] of input.env) {
    if (name === '' || name.includes('=') || name.includes('\0') || value.includes('\0')) {
      throw new TypeError(`Environment variable name "${name}" must be non-empty without "=" or NUL, its value without NUL`)
    }
  }
  if (input.preopenWork === false && input.files.length > 0) throw new TypeError('files need /work: preopenWork must not be false')
  for (const mount of input.mounts ?? []) {
    if (typeof mount.path !== 'string' || mount.path === '' || mount.path.includes('\0')) throw new TypeError('A mount\'s guest path must be a non-empty string without NUL')
  }
  if (!Number.isSafeInteger(limits.fuel) || limits.fuel < 0) throw new RangeError(`fuel must be a non-negative safe integer, got ${limits.fuel}`)
}

/**
 * The error to fail a run with when instantiation failed because the engine
 * could not allocate the instance's linear memory — the host's failure, not
 * the task's (`SandboxOutOfMemoryError`) — or undefined for any other failure.
 * A V8 process holds only so many wasm memories at once, the page and all its
 * workers together (Chromium about 124 per renderer, Node about 13,000), and
 * frees a dead instance's memory only when the isolate that made it collects
 * garbage; V8 retries a failed allocation after collecting the failing
 * isolate only. It then throws a RangeError, "WebAssembly.instantiate(): Out
 * of memory: Cannot allocate Wasm memory for new instance" (the spare path's
 * `new WebAssembly.Instance` says "WebAssembly.Instance(): …"); SpiderMonkey's
 * says "out of memory". Only a RangeError: a trap in a start function is a
 * RuntimeError, and a stack overflow, the other RangeError, says "Maximum call
 * stack size exceeded" (SpiderMonkey's "too much recursion" is an InternalError).
 */
export function engineOutOfMemory (failure: unknown): SandboxOutOfMemoryError | undefined {
  if (!(failure instanceof RangeError) || !/out of memory/i.test(failure.message)) return undefined
  return new SandboxOutOfMemoryError(`The engine could not allocate the task's memory: ${failure.message}`)
}

/** Why a run that did not end by itself ended, most specific first. */
function classify (failure: unknown, outOfFuel: boolean, memoryBytes: number, limits: TaskLimits): [TaskStatus, Error] {
  const memory = `memory in use: ${memoryBytes} of ${limits.memoryLimitBytes} bytes allowed`
  if (failure instanceof TaskTimeoutError) return ['timeout', failure]
  if (outOfFuel) return ['out-of-fuel', new OutOfFuelError(`Task spent its fuel budget of ${limits.fuel}`)]
  if (failure instanceof OutputTooLargeError || failure instanceof UnsupportedWasiCallError) return ['trap', failure]
  const message = failure instanceof Error ? failure.message : String(failure)
  if (memoryBytes > limits.memoryLimitBytes) {
    return ['memory-limit', new MemoryLimitError(`Task grew its memory past the limit (${memory})`)]
  }
  if (nearCap(memoryBytes, limits.memoryLimitBytes)) {
    return ['memory-limit', new MemoryLimitError(`Task trapped with its memory at the limit: ${message} (${memory})`)]
  }
  // RuntimeError is a trap; a RangeError is a stack overflow; anything else (a bad pointer handed to the shim) is also the module's doing.
  return ['trap', new TaskTrapError(`Task trapped: ${message} (${memory})`)]
}

/**
 * A failed `memory.grow` is not a trap by itself: the module sees -1 and its
 * runtime then traps (AssemblyScript, Rust). The engine does not say which
 * grow failed, so a trap counts as hitting the memory limit when one more
 * doubling of the memory in use (at least one page) would not fit under the
 * cap. A module that asks for a single huge block while using little memory
 * is reported as a plain trap; the message still shows memory in use.
 */
function nearCap (memoryBytes: number, limitBytes: number): boolean {
  return memoryBytes + Math.max(memoryBytes, WASM_PAGE_BYTES) > limitBytes
}
