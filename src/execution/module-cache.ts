/**
 * The worker pool's compiled task modules: each checked, memory capped and
 * fuel metered once (module-check.ts), kept by the identity of its bytes and
 * the transformation, the least recently used dropped past the cache's size.
 */
import { assertSha256Hex } from '../core/hash.ts'
import { WASM_PAGE_BYTES } from './constants.ts'
import { AbortError } from './errors.ts'
import { compileTaskModule } from './module-check.ts'
import { readMemoryLimits } from './wasm-binary/index.ts'

/** A compiled module and its cache key, which also names it to the worker that holds it. */
export interface CompiledModule {
  key: string
  module: WebAssembly.Module
  /**
   * The smallest initial size of its memories, bytes: what its exported
   * memory has at least once instantiated, so what a run that never grows
   * it reports, without a message from the worker (`WasiWorkerApi.run`).
   */
  initialMemoryBytes: number
}

export interface ModuleCacheInit {
  /** Modules kept, at least 1. */
  size: number
  /** Instrument modules with the fuel meter; unmetered runs report `fuelUsed: null`. */
  metered: boolean
}

export class ModuleCache {
  private readonly size: number
  private readonly metered: boolean
  /** Compilations by `hash/memoryLimit/metering`, oldest first; promises so concurrent runs share one compile. */
  private readonly modules = new Map<string, Promise<CompiledModule>>()

  constructor (init: ModuleCacheInit) {
    this.size = init.size
    this.metered = init.metered
  }

  /** Hashes of the modules compiled and cached, most recently used last. */
  hashes (): string[] {
    return [...new Set([...this.modules.keys()].map(key => key.split('/')[0] as string))]
  }

  clear (): void {
    this.modules.clear()
  }

  /**
   * Compiles (or finds in the cache) the module, under a key that names the
   * bytes and the transformation. `bytes` must hash (SHA-256, lowercase hex)
   * to `hash` (`ModuleHashMismatchError`); rejects with the typed errors of
   * `compileTaskModule`, or `AbortError` when the signal fires.
   */
  async compile (hash: string, bytes: Uint8Array, memoryLimitBytes: number, signal?: AbortSignal, exactFuelAtTraps = false): Promise<CompiledModule> {
    const key = `${hash}/${memoryLimitBytes}/${this.metered ? exactFuelAtTraps ? 'metered-exact' : 'metered' : 'unmetered'}`
    let module = this.modules.get(key)
    if (module !== undefined) {
      this.modules.delete(key) // re-insert: Map order doubles as recency
    } else {
      module = (async () => {
        assertSha256Hex(bytes, hash)
        const compiled = await compileTaskModule(bytes, { memoryLimitBytes, metered: this.metered, exactFuelAtTraps })
        const pages = readMemoryLimits(bytes).map(memory => memory.minPages)
        return { key, module: compiled, initialMemoryBytes: pages.length === 0 ? 0 : Math.min(...pages) * WASM_PAGE_BYTES }
      })()
      // A failed compile must not be served from the cache.
      module.catch(() => { if (this.modules.get(key) === module) this.modules.delete(key) })
    }
    this.modules.set(key, module)
    while (this.modules.size > this.size) this.modules.delete(this.modules.keys().next().value as string)
    // The shared compile is not cancelled by one caller's signal; that caller just stops waiting.
    return raceAbort(module, signal)
  }
}

function raceAbort<T> (promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise
  return new Promise((resolve, reject) => {
    const onAbort = (): void => { reject(new AbortError()) }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => { signal.removeEventListener('abort', onAbort) })
  })
}
