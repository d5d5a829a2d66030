/**
 * Room for the memory-growth hook (see `MEMORY_GROWTH_IMPORT_NAME`): one more
 * imported function, `[] -> []`, that the instrumented code calls after every
 * `memory.grow`.
 *
 * Imported functions come first in the function index space (core spec
 * §2.5.1), so appending an import gives the hook the index of the first
 * defined function, and every defined function moves up by one. So every
 * place that names a function by index is rewritten here or in
 * instrument-body.ts: `call`, `return_call` and `ref.func` in code and in
 * constant expressions (globals, tables, element segments: §5.4.1, §5.4.5,
 * §5.4.9), exports (§5.5.10), the start function (§5.5.11), element segments
 * (§5.5.12), and the name section (appendix §7.4.1). Imported functions keep
 * their indices. Other custom sections that name functions together with
 * code offsets (branch hints) are left as they are: metering already moves
 * every code offset.
 *
 * Why a hook: the pool ends a run past its time limit by terminating the
 * worker, which then cannot answer, and a module's memory lives in that
 * worker. Sharing the memory would need a `shared` memory type (threads
 * proposal), which changes the module, and cross-origin isolation in the
 * browser; reporting from the WASI functions alone misses a module that grows
 * memory and then loops without calling WASI. A call after each `memory.grow`
 * sees every growth, costs nothing when memory does not grow, and, being
 * meter code, no fuel. It takes no arguments: the host reads the exported
 * memory's size itself, whatever the memory's index type (memory64) or index.
 */
import { InvalidModuleError } from '../errors.ts'
import {
  ByteReader, ByteWriter, EXTERN_FUNC, FUNC_TYPE, readLimits, type Section, sectionReader, skipValType, writeSized
} from '../wasm-binary/index.ts'
import { Flow, readInstruction } from './instructions.ts'

/** Where the hook sits in the module. */
export interface GrowthHook {
  /** Its function index: the number of imported functions before it, so also the first index that moves. */
  index: number
  /** Index of its type, `[] -> []`, appended to the type section. */
  type: number
}

// Opcodes that name a function (§5.4.1, §5.4.5; 0x12 is the tail-call proposal's `return_call`).
export const CALL = 0x10
export const RETURN_CALL = 0x12
export const REF_FUNC = 0xd2

/** The functype `[] -> []` (§5.3.6): the form, no parameters, no results. */
export const HOOK_FUNC_TYPE: readonly number[] = [FUNC_TYPE, 0x00, 0x00]

/** A table with an initialiser expression (§5.5.6, function-references proposal): `0x40 0x00 tabletype expr`. */
const TABLE_WITH_INIT = 0x40

// Element segment flags (§5.5.12): bit 0 passive or declarative, bit 1 explicit table index (active) or
// declarative (not active), bit 2 initialisers are expressions rather than function indices.
const ELEM_NOT_ACTIVE = 0x01
const ELEM_TABLE_OR_DECLARATIVE = 0x02
const ELEM_EXPRESSIONS = 0x04

// Name section (appendix §7.4.1): its custom section name, and the subsections keyed by function index
// (label names, 3, is the extended-name-section proposal's).
const NAME_SECTION = 'name'
const FUNCTION_NAMES = 1
const LOCAL_NAMES = 2
const LABEL_NAMES = 3

/** Where function `index` of the original module ends up. */
export function moved (hook: GrowthHook, index: number): number {
  return index >= hook.index ? index + 1 : index
}

/** Whether opcode `op` names a function, in its one u32 immediate. */
export function namesFunction (op: number | undefined): boolean {
  return op === CALL || op === RETURN_CALL || op === REF_FUNC
}

/** Writes the instruction `op funcidx` that starts at `bytes[at]`, with its function index moved. */
export function writeMovedCall (bytes: Uint8Array, at: number, end: number, hook: GrowthHook, out: ByteWriter): void {
  out.byte(bytes[at] as number)
  out.u32(moved(hook, new ByteReader(bytes, at + 1, end).u32()))
}

/** Copies a constant expression (§5.4.9) up to and including its `end`, with `ref.func` moved. */
function copyConstExpr (reader: ByteReader, hook: GrowthHook, out: ByteWriter): void {
  const { bytes } = reader
  let copied = reader.offset
  while (true) {
    const at = reader.offset
    const flow = readInstruction(reader, -1)
    if (namesFunction(bytes[at])) {
      out.bytes(bytes.subarray(copied, at))
      writeMovedCall(bytes, at, reader.offset, hook, out)
      copied = reader.offset
    }
    if (flow === Flow.end) break
  }
  out.bytes(bytes.subarray(copied, reader.offset))
}

/** Copies what `skip` reads, unchanged. */
function copyRead (reader: ByteReader, out: ByteWriter, skip: () => void): void {
  const start = reader.offset
  skip()
  out.bytes(reader.bytes.subarray(start, reader.offset))
}

/** A vector section's entries (§5.5.3), each copied by `copy`, and then `extra` more written by the caller. */
export function rewriteEntries (bytes: Uint8Array, section: Section, extra: number, copy: (reader: ByteReader, out: ByteWriter) => void): ByteWriter {
  const reader = sectionReader(bytes, section)
  const out = new ByteWriter(section.end - section.contentStart + 32)
  const count = reader.u32()
  out.u32(count + extra)
  for (let i = 0; i < count; i++) copy(reader, out)
  if (!reader.done) throw new InvalidModuleError(`Section ${section.id} has bytes after its last entry`)
  return out
}

/** One table (§5.5.6): a table type, or `0x40 0x00`, a table type and an initialiser to copy. */
export function copyTable (hook: GrowthHook) {
  return (reader: ByteReader, out: ByteWriter): void => {
    const withInit = reader.bytes[reader.offset] === TABLE_WITH_INIT
    copyRead(reader, out, () => {
      if (withInit) reader.skip(2)
      skipValType(reader)
      readLimits(reader)
    })
    if (withInit) copyConstExpr(reader, hook, out)
  }
}

/** One global (§5.5.9): its type, then its initialiser. */
export function copyGlobal (hook: GrowthHook) {
  return (reader: ByteReader, out: ByteWriter): void => {
    copyRead(reader, out, () => {
      skipValType(reader)
      reader.byte() // mutability
    })
    copyConstExpr(reader, hook, out)
  }
}

/** One export (§5.5.10): name, kind, index; a function's index moves. */
export function copyExport (hook: GrowthHook) {
  return (reader: ByteReader, out: ByteWriter): void => {
    let kind = 0
    copyRead(reader, out, () => {
      reader.name()
      kind = reader.byte()
    })
    const index = reader.u32()
    out.u32(kind === EXTERN_FUNC ? moved(hook, index) : index)
  }
}

/** One element segment (§5.5.12), in any of its eight forms. */
export function copyElementSegment (hook: GrowthHook) {
  return (reader: ByteReader, out: ByteWriter): void => {
    const flags = reader.u32()
    out.u32(flags)
    const expressions = (flags & ELEM_EXPRESSIONS) !== 0
    if ((flags & ELEM_NOT_ACTIVE) === 0) {
      if ((flags & ELEM_TABLE_OR_DECLARATIVE) !== 0) copyRead(reader, out, () => reader.u32()) // table index
      copyConstExpr(reader, hook, out) // offset
    }
    // Forms 0 and 4 imply funcref; the others name the element kind (0x00, funcref) or reference type.
    if ((flags & (ELEM_NOT_ACTIVE | ELEM_TABLE_OR_DECLARATIVE)) !== 0) {
      copyRead(reader, out, () => { if (expressions) skipValType(reader); else reader.byte() })
    }
    const count = reader.u32()
    out.u32(count)
    for (let i = 0; i < count; i++) {
      if (expressions) copyConstExpr(reader, hook, out)
      else out.u32(moved(hook, reader.u32()))
    }
  }
}

/** The start section (§5.5.11): one function index. */
export function rewriteStart (bytes: Uint8Array, section: Section, hook: GrowthHook): ByteWriter {
  const out = new ByteWriter(8)
  out.u32(moved(hook, sectionReader(bytes, section).u32()))
  return out
}

/** Whether a custom section (§5.5.3) is the name section. */
export function isNameSection (bytes: Uint8Array, section: Section): boolean {
  try {
    return sectionReader(bytes, section).name() === NAME_SECTION
  } catch {
    return false // a malformed custom section name is no name section
  }
}

/**
 * The name section (appendix §7.4.1) with the function indices of its
 * function, local and label names moved; other subsections are copied.
 * Returns null when it is malformed, and the caller drops it rather than fail
 * the module: custom sections do not affect the semantics and an
 * implementation may ignore them (§7.4); this one only names things for
 * debuggers and stack traces.
 */
export function rewriteNameSection (bytes: Uint8Array, section: Section, hook: GrowthHook): ByteWriter | null {
  const reader = sectionReader(bytes, section)
  const out = new ByteWriter(section.end - section.contentStart + 32)
  try {
    copyRead(reader, out, () => reader.name())
    while (!reader.done) {
      const id = reader.byte()
      const size = reader.u32()
      const sub = new ByteReader(bytes, reader.offset, reader.offset + size)
      reader.skip(size)
      const contents = new ByteWriter(size + 16)
      if (id === FUNCTION_NAMES || id === LOCAL_NAMES || id === LABEL_NAMES) {
        const count = sub.u32()
        contents.u32(count)
        for (let i = 0; i < count; i++) {
          contents.u32(moved(hook, sub.u32()))
          copyRead(sub, contents, id === FUNCTION_NAMES ? () => sub.name() : () => skipNameMap(sub))
        }
        if (!sub.done) return null
      } else {
        contents.bytes(bytes.subarray(sub.offset, sub.end))
      }
      out.byte(id)
      writeSized(out, contents)
    }
  } catch (err) {
    if (err instanceof InvalidModuleError) return null
    throw err
  }
  return out
}

/** A name map (appendix §7.4.1): a vector of index and name. */
function skipNameMap (reader: ByteReader): void {
  const count = reader.u32()
  for (let i = 0; i < count; i++) {
    reader.u32()
    reader.name()
  }
}
