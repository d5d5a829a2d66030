import { MAX_MODULE_BYTES, WASI_MODULE, WASM_PAGE_BYTES } from './constants.ts'
import { InvalidModuleError, MemoryLimitError, ModuleTooLargeError, NotWasiCommandError, throwIfAborted, UnsupportedImportError } from './errors.ts'
import { MEMORY_GROWTH_IMPORT_MODULE, MEMORY_GROWTH_IMPORT_NAME, meterFuel } from './metering/index.ts'
import { capMemory, readMemoryLimits } from './wasm-binary/index.ts'

export interface CompileTaskModuleOptions {
  /**
   * When given, a module whose declared initial memory exceeds it is rejected
   * with `MemoryLimitError`, and the compiled module's memory maximum is
   * lowered to it so the engine refuses to grow past it. A module compiled
   * this way is specific to the limit, so caches must key on it too.
   */
  memoryLimitBytes?: number
  /**
   * Instrument the module with the fuel meter (see metering/), so the runner
   * can set and read its budget through the `zerostate_fuel` export
   * (default true). Unmetered modules report `fuelUsed: null`. A metered
   * module also reports its memory size after every `memory.grow`
   * (`MEMORY_GROWTH_IMPORT_*`, which the runner links), so a run killed at
   * its time limit still has its memory peak; an unmetered one reports it at
   * instantiation and at each WASI call only.
   */
  metered?: boolean
  /**
   * Meter so that the fuel global is exact at a trap of any kind
   * (`MeterFuelOptions.exactAtTraps`): slower, for replaying a metered run
   * that trapped (worker-pool.ts). Default false.
   */
  exactFuelAtTraps?: boolean
  signal?: AbortSignal
}

export interface AssertWasiCommandOptions {
  /**
   * Also accept the memory-growth hook the meter imports (`zerostate.memory_grew`):
   * true for a module `compileTaskModule` made, false (the default) for the
   * task's own bytes, which may import from `wasi_snapshot_preview1` only.
   */
  instrumented?: boolean
}

/** A compiled module's import and export descriptors, read once per module object. */
interface ModuleInterface {
  imports: WebAssembly.ModuleImportDescriptor[]
  exports: WebAssembly.ModuleExportDescriptor[]
}

const interfaces = new WeakMap<WebAssembly.Module, ModuleInterface>()

/**
 * `WebAssembly.Module.imports` and `.exports` of `module`, kept per module
 * object: a sandbox worker runs the same compiled module task after task
 * (worker-pool.ts), and building these arrays again for each run is a
 * measurable part of a trivial task. Callers must not modify them.
 */
export function moduleInterface (module: WebAssembly.Module): Readonly<ModuleInterface> {
  let known = interfaces.get(module)
  if (known === undefined) {
    known = { imports: WebAssembly.Module.imports(module), exports: WebAssembly.Module.exports(module) }
    interfaces.set(module, known)
  }
  return known
}

/**
 * Checks that a compiled module is a WASI preview1 command the runner can
 * link: an exported `_start` function, an exported `memory`, and imports
 * that are all `wasi_snapshot_preview1` functions. Functions the sandbox does
 * not implement are linked to stubs that fail only when called.
 */
export function assertWasiCommand (module: WebAssembly.Module, options: AssertWasiCommandOptions = {}): void {
  const { imports, exports } = moduleInterface(module)
  for (const { module: from, name, kind } of imports) {
    const hook = from === MEMORY_GROWTH_IMPORT_MODULE && name === MEMORY_GROWTH_IMPORT_NAME
    if ((from !== WASI_MODULE && !(hook && options.instrumented === true)) || kind !== 'function') {
      throw new UnsupportedImportError(`Module imports ${kind} "${from}.${name}", which the sandbox does not provide`, `${from}.${name}`)
    }
  }
  if (!exports.some(e => e.name === '_start' && e.kind === 'function')) {
    throw new NotWasiCommandError('Module does not export a `_start` function (WASI command entry point)')
  }
  if (!exports.some(e => e.name === 'memory' && e.kind === 'memory')) {
    throw new NotWasiCommandError('Module does not export its `memory`')
  }
}

/**
 * Compiles untrusted module bytes and checks they form a runnable WASI
 * command, rejecting with one typed error per failure (see `errors.ts`);
 * then caps its memory and meters it as the options say, and compiles the
 * result. Every rejection here is what a receipt calls 'invalid-module'.
 */
export async function compileTaskModule (bytes: Uint8Array, options: CompileTaskModuleOptions = {}): Promise<WebAssembly.Module> {
  throwIfAborted(options.signal)
  if (bytes.byteLength === 0) throw new InvalidModuleError('Module is empty')
  if (bytes.byteLength > MAX_MODULE_BYTES) {
    throw new ModuleTooLargeError(`Module is ${bytes.byteLength} bytes; the limit is ${MAX_MODULE_BYTES}`)
  }

  let module: WebAssembly.Module
  try {
    // A copy backed by a plain ArrayBuffer: the engine rejects SharedArrayBuffer views, and the caller may reuse theirs.
    module = await WebAssembly.compile(bytes.slice())
  } catch (err) {
    throw new InvalidModuleError(`Module does not compile: ${err instanceof Error ? err.message : String(err)}`)
  }
  throwIfAborted(options.signal)
  assertWasiCommand(module)

  let transformed: Uint8Array | null = null
  const limit = options.memoryLimitBytes
  if (limit !== undefined) {
    const limitPages = Math.floor(limit / WASM_PAGE_BYTES)
    for (const memory of readMemoryLimits(bytes)) {
      if (memory.minPages > limitPages) {
        throw new MemoryLimitError(`Module declares ${memory.minPages * WASM_PAGE_BYTES} bytes of initial memory; the limit is ${limit}`)
      }
    }
    transformed = capMemory(bytes, limitPages)
  }
  if (options.metered ?? true) {
    try {
      transformed = meterFuel(transformed ?? bytes, { reportMemoryGrowth: true, exactAtTraps: options.exactFuelAtTraps === true })
    } catch (err) {
      throw new InvalidModuleError(`Module cannot be metered: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  if (transformed === null) return module
  throwIfAborted(options.signal)
  try {
    return await WebAssembly.compile(transformed.slice())
  } catch (err) {
    // Unreachable for a module that compiled above, unless capMemory or the meter has a bug; say so rather than blame the module.
    throw new InvalidModuleError(`Module does not compile once capped and metered: ${err instanceof Error ? err.message : String(err)}`)
  }
}
