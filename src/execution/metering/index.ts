/**
 * Deterministic fuel metering by bytecode instrumentation. `meterFuel`
 * returns a module that behaves like its input but counts the instructions
 * it executes in an exported mutable i64 global, and traps (`unreachable`)
 * at the next checkpoint — a loop header, a call, a way out of a function,
 * a `memory.grow` — once the count exceeds the budget the host put there
 * (instrument-body.ts). "Fuel used" is then `budget - remaining`, the same on
 * every engine for the same module and input; a trap that leaves
 * `remaining < 0` means out of fuel. Between checkpoints the count lives in
 * a local, so the global is exact whenever the module calls out or returns;
 * at a trap that is not the meter's it may lag, unless the module was
 * metered with `exactAtTraps` (the pool replays such a run that way).
 *
 * Pure and isomorphic: bytes in, bytes out, no I/O, no dependencies.
 *
 * @example
 * ```ts
 * const module = await WebAssembly.compile(meterFuel(bytes))
 * const instance = await WebAssembly.instantiate(module, imports)
 * const fuel = instance.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global<'i64'>
 * fuel.value = 10_000_000n
 * run(instance)
 * const used = 10_000_000n - fuel.value // out of fuel if fuel.value < 0n
 * ```
 */
import { InvalidModuleError } from '../errors.ts'
import {
  ByteReader, ByteWriter, EXTERN_FUNC, EXTERN_GLOBAL, MAGIC_AND_VERSION, MUTABLE, readExportNames, readImports,
  readSections, SECTION_CODE, SECTION_CUSTOM, SECTION_ELEMENT, SECTION_EXPORT, SECTION_FUNCTION, SECTION_GLOBAL, SECTION_IMPORT,
  SECTION_START, SECTION_TABLE, SECTION_TYPE, type Section, sectionRank, sectionReader, VALTYPE_I64, writeSection
} from '../wasm-binary/index.ts'
import { FUEL_GLOBAL_EXPORT, MEMORY_GROWTH_IMPORT_MODULE, MEMORY_GROWTH_IMPORT_NAME } from './constants.ts'
import { FuelExportConflictError } from './errors.ts'
import {
  copyElementSegment, copyExport, copyGlobal, copyTable, type GrowthHook, HOOK_FUNC_TYPE, isNameSection,
  rewriteEntries, rewriteNameSection, rewriteStart
} from './growth-hook.ts'
import { instrumentBody, MeterCode } from './instrument-body.ts'
import { readFunctionParams, readParamCounts } from './type-section.ts'

export { FUEL_GLOBAL_EXPORT, MEMORY_GROWTH_IMPORT_MODULE, MEMORY_GROWTH_IMPORT_NAME } from './constants.ts'
export { FuelExportConflictError, UnsupportedInstructionError } from './errors.ts'

/** Initialiser of the fuel global: `i64.const 0; end` (§5.4.9); the host sets the budget. */
const FUEL_GLOBAL_INIT = [0x42, 0x00, 0x0b]

export interface MeterFuelOptions {
  /**
   * Also import `zerostate.memory_grew` (`MEMORY_GROWTH_IMPORT_*`, `[] -> []`)
   * and call it after every `memory.grow`, so the host learns the memory size
   * while the module runs — the only way it can for a run it then has to
   * kill at its time limit (see worker-pool.ts). Fuel is unchanged: the call
   * is not charged (instrument-body.ts). Default false: the module's imports
   * stay as they were, and so do its function indices.
   */
  reportMemoryGrowth?: boolean
  /**
   * Also bring the fuel global up to date before every instruction that may
   * trap (instructions.ts `mayTrap`), so that a trap of any kind — not only
   * the meter's own — leaves in it the count the module had reached. Without
   * it the count lives in a local between checkpoints (instrument-body.ts)
   * and the global may lag behind at a trap that is not the meter's; fuel is
   * the same either way for every run that does not trap, and for every run
   * that runs out of fuel at a checkpoint. Slower (a store per basic block
   * that may trap): the pool meters this way only to replay a run that
   * trapped (worker-pool.ts). Default false.
   */
  exactAtTraps?: boolean
}

/**
 * Returns a metered copy of `bytes` (see the module comment; the cost model
 * is described in instrument-body.ts). Only the global, export and code
 * sections change — the first two gain one entry, or are created in their
 * place in the section order (§5.5.16) — and every other section, custom
 * sections included, is copied byte for byte. Appending a defined global
 * renumbers nothing: imported globals come first in the index space (§2.5.1).
 * With `reportMemoryGrowth`, the type and import sections also gain an entry
 * each and every function index from the first defined function on moves up
 * by one (growth-hook.ts).
 *
 * Throws `InvalidModuleError` for malformed bytes, `UnsupportedInstructionError`
 * for an instruction it cannot decode and `FuelExportConflictError` when the
 * module already exports `FUEL_GLOBAL_EXPORT` (for instance, it is metered).
 */
export function meterFuel (bytes: Uint8Array, options: MeterFuelOptions = {}): Uint8Array<ArrayBuffer> {
  const sections = readSections(bytes)
  let importedFunctions = 0
  let globals = 0
  let typeParams: number[] = []
  let functionParams: number[] = []
  for (const section of sections) {
    const reader = sectionReader(bytes, section)
    if (section.id === SECTION_IMPORT) {
      // Imports come first in their index spaces (§2.5.1).
      const imports = readImports(reader)
      importedFunctions = imports.filter(i => i.kind === EXTERN_FUNC).length
      globals += imports.filter(i => i.kind === EXTERN_GLOBAL).length
    } else if (section.id === SECTION_GLOBAL) {
      globals += reader.u32()
    } else if (section.id === SECTION_EXPORT && readExportNames(reader).includes(FUEL_GLOBAL_EXPORT)) {
      throw new FuelExportConflictError(`Module already exports "${FUEL_GLOBAL_EXPORT}"; is it metered already?`)
    } else if (section.id === SECTION_TYPE) {
      typeParams = readParamCounts(reader)
    } else if (section.id === SECTION_FUNCTION) {
      // The type section comes before the function section (§5.5.16).
      functionParams = readFunctionParams(reader, typeParams)
    }
  }
  const fuelGlobal = globals
  // Appended after the imported functions and the existing types, the hook takes the next index of each.
  const hook: GrowthHook | undefined = options.reportMemoryGrowth === true ? { index: importedFunctions, type: typeParams.length } : undefined

  // Sections that gain an entry, by id: written in place of the existing one, or created where it would be.
  const additions = new Map<number, (section: Section | undefined) => ByteWriter>([
    [SECTION_GLOBAL, section => appendGlobal(bytes, section, hook)],
    [SECTION_EXPORT, section => appendExport(bytes, section, fuelGlobal, hook)]
  ])
  if (hook !== undefined) {
    additions.set(SECTION_TYPE, section => appendEntry(bytes, section, contents => { contents.bytes(HOOK_FUNC_TYPE) }))
    additions.set(SECTION_IMPORT, section => appendEntry(bytes, section, contents => {
      contents.name(MEMORY_GROWTH_IMPORT_MODULE)
      contents.name(MEMORY_GROWTH_IMPORT_NAME)
      contents.byte(EXTERN_FUNC)
      contents.u32(hook.type)
    }))
  }

  const out = new ByteWriter(bytes.length * 2)
  out.bytes(MAGIC_AND_VERSION)
  const written = new Set<number>()
  const writeMissing = (beforeRank: number): void => {
    const missing = [...additions.keys()].filter(id => !written.has(id) && sectionRank(id) < beforeRank)
    for (const id of missing.sort((a, b) => sectionRank(a) - sectionRank(b))) {
      writeSection(out, id, (additions.get(id) as (section: Section | undefined) => ByteWriter)(undefined))
      written.add(id)
    }
  }

  for (const section of sections) {
    if (section.id !== SECTION_CUSTOM) writeMissing(sectionRank(section.id))
    const addition = additions.get(section.id)
    if (section.id === SECTION_CUSTOM) {
      const names = hook !== undefined && isNameSection(bytes, section) ? rewriteNameSection(bytes, section, hook) : undefined
      if (names === undefined) out.bytes(bytes.subarray(section.start, section.end))
      else if (names !== null) writeSection(out, SECTION_CUSTOM, names)
    } else if (addition !== undefined) {
      writeSection(out, section.id, addition(section))
      written.add(section.id)
    } else if (section.id === SECTION_CODE) {
      writeSection(out, SECTION_CODE, instrumentCode(bytes, section, fuelGlobal, importedFunctions, functionParams, hook, options.exactAtTraps === true))
    } else if (hook !== undefined && section.id === SECTION_TABLE) {
      writeSection(out, SECTION_TABLE, rewriteEntries(bytes, section, 0, copyTable(hook)))
    } else if (hook !== undefined && section.id === SECTION_START) {
      writeSection(out, SECTION_START, rewriteStart(bytes, section, hook))
    } else if (hook !== undefined && section.id === SECTION_ELEMENT) {
      writeSection(out, SECTION_ELEMENT, rewriteEntries(bytes, section, 0, copyElementSegment(hook)))
    } else {
      out.bytes(bytes.subarray(section.start, section.end))
    }
  }
  writeMissing(Number.POSITIVE_INFINITY)
  return out.toBytes()
}

/** `count + 1`, the existing entries unchanged, then the entry `write` adds. */
function appendEntry (bytes: Uint8Array, section: Section | undefined, write: (contents: ByteWriter) => void): ByteWriter {
  const contents = new ByteWriter(section === undefined ? 32 : section.end - section.contentStart + 32)
  if (section === undefined) {
    contents.u32(1)
  } else {
    const reader = sectionReader(bytes, section)
    contents.u32(reader.u32() + 1)
    contents.bytes(bytes.subarray(reader.offset, section.end))
  }
  write(contents)
  return contents
}

/** Like `appendEntry`, but with the existing entries rewritten for the growth hook, when there is one. */
function appendRewritten (bytes: Uint8Array, section: Section | undefined, hook: GrowthHook | undefined,
  copy: (hook: GrowthHook) => (reader: ByteReader, out: ByteWriter) => void, write: (contents: ByteWriter) => void): ByteWriter {
  if (hook === undefined || section === undefined) return appendEntry(bytes, section, write)
  const contents = rewriteEntries(bytes, section, 1, copy(hook))
  write(contents)
  return contents
}

/** The global section (§5.5.9) plus `(global (mut i64) (i64.const 0))`. */
function appendGlobal (bytes: Uint8Array, section: Section | undefined, hook: GrowthHook | undefined): ByteWriter {
  return appendRewritten(bytes, section, hook, copyGlobal, contents => {
    contents.byte(VALTYPE_I64)
    contents.byte(MUTABLE)
    contents.bytes(FUEL_GLOBAL_INIT)
  })
}

/** The export section (§5.5.10) plus `(export "zerostate_fuel" (global fuelGlobal))`. */
function appendExport (bytes: Uint8Array, section: Section | undefined, fuelGlobal: number, hook: GrowthHook | undefined): ByteWriter {
  return appendRewritten(bytes, section, hook, copyExport, contents => {
    contents.name(FUEL_GLOBAL_EXPORT)
    contents.byte(EXTERN_GLOBAL)
    contents.u32(fuelGlobal)
  })
}

/** The code section (§5.5.13) with every body instrumented and its size recomputed. */
function instrumentCode (bytes: Uint8Array, section: Section, fuelGlobal: number, importedFunctions: number,
  functionParams: readonly number[], hook: GrowthHook | undefined, exactAtTraps: boolean): ByteWriter {
  const reader = sectionReader(bytes, section)
  const contents = new ByteWriter(2 * (section.end - section.contentStart))
  const meter = new MeterCode(fuelGlobal, exactAtTraps)
  const count = reader.u32()
  if (count !== functionParams.length) {
    throw new InvalidModuleError(`Code section has ${count} bodies for ${functionParams.length} declared functions`)
  }
  contents.u32(count)
  for (let i = 0; i < count; i++) {
    const size = reader.u32()
    if (reader.offset + size > section.end) throw new InvalidModuleError(`Function ${importedFunctions + i} runs past the code section`)
    const body = new ByteReader(bytes, reader.offset, reader.offset + size)
    instrumentBody(body, meter, importedFunctions + i, functionParams[i] as number, contents, hook)
    reader.offset = body.end
  }
  if (!reader.done) throw new InvalidModuleError('Code section has bytes after its last function')
  return contents
}
