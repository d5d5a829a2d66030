/**
 * The module-level structure the fuel meter needs (core spec §5.5): the
 * section list, how many functions and globals are imported (they come first
 * in their index spaces), the defined globals and the export names.
 */
import { ByteReader } from './binary.ts'
import { InvalidModuleError } from '../errors.ts'
import {
  EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_MEMORY, EXTERN_TABLE, EXTERN_TAG, LIMITS_HAS_MAX,
  MAGIC_AND_VERSION, SECTION_CUSTOM, SECTION_ORDER
} from './constants.ts'
import { skipValType } from './instructions.ts'

export interface Section {
  id: number
  /** Offset of the id byte. */
  start: number
  /** Offset of the first content byte. */
  contentStart: number
  /** Offset just past the contents. */
  end: number
}

/** Splits a module into its sections (§5.5.2) after checking the preamble (§5.5.16). */
export function readSections (bytes: Uint8Array): Section[] {
  if (bytes.length < MAGIC_AND_VERSION.length || MAGIC_AND_VERSION.some((b, i) => bytes[i] !== b)) {
    throw new InvalidModuleError('Not a WebAssembly 1.0 binary: wrong magic number or version')
  }
  const reader = new ByteReader(bytes, MAGIC_AND_VERSION.length)
  const sections: Section[] = []
  let lastRank = -1
  while (!reader.done) {
    const start = reader.offset
    const id = reader.byte()
    const size = reader.u32()
    const contentStart = reader.offset
    reader.skip(size)
    if (id !== SECTION_CUSTOM) {
      // Non-custom sections appear at most once each, in SECTION_ORDER (§5.5.16).
      const rank = sectionRank(id)
      if (rank === -1) throw new InvalidModuleError(`Unknown section id ${id}`)
      if (rank <= lastRank) throw new InvalidModuleError(`Section ${id} is repeated or out of order`)
      lastRank = rank
    }
    sections.push({ id, start, contentStart, end: reader.offset })
  }
  return sections
}

/** Position of a non-custom section id in the required order; -1 if unknown. */
export function sectionRank (id: number): number {
  return SECTION_ORDER.indexOf(id)
}

export function sectionReader (bytes: Uint8Array, section: Section): ByteReader {
  return new ByteReader(bytes, section.contentStart, section.end)
}

/** Limits (§5.3.7): a flags byte, a minimum, and a maximum if flag bit 0 is set. */
function skipLimits (reader: ByteReader): void {
  const flags = reader.byte()
  reader.skipLeb() // u32, or u64 under memory64
  if ((flags & LIMITS_HAS_MAX) !== 0) reader.skipLeb()
}

/** How many functions and globals the import section (§5.5.5) brings in. */
export function countImports (reader: ByteReader): { functions: number, globals: number } {
  let functions = 0
  let globals = 0
  const count = reader.u32()
  for (let i = 0; i < count; i++) {
    reader.name() // module
    reader.name() // field
    const kind = reader.byte()
    if (kind === EXTERN_FUNC) {
      reader.u32()
      functions++
    } else if (kind === EXTERN_TABLE) {
      skipValType(reader)
      skipLimits(reader)
    } else if (kind === EXTERN_MEMORY) {
      skipLimits(reader)
    } else if (kind === EXTERN_GLOBAL) {
      skipValType(reader)
      reader.byte() // mutability
      globals++
    } else if (kind === EXTERN_TAG) {
      reader.byte() // attribute
      reader.u32()
    } else {
      throw new InvalidModuleError(`Unknown import kind 0x${kind.toString(16)}`)
    }
  }
  return { functions, globals }
}

/** Every export's name (§5.5.10), leaving the reader after the section's contents. */
export function readExportNames (reader: ByteReader): string[] {
  const names: string[] = []
  const count = reader.u32()
  for (let i = 0; i < count; i++) {
    names.push(reader.name())
    reader.byte() // kind
    reader.u32() // index
  }
  return names
}
