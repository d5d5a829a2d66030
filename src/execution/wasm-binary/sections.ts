/**
 * The module-level structure (core spec §5.5): the preamble, the section
 * list with its order rules, and the import and export sections' entries.
 */
import { InvalidModuleError } from '../errors.ts'
import {
  EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_MEMORY, EXTERN_TABLE, EXTERN_TAG, MAGIC_AND_VERSION, SECTION_CUSTOM, SECTION_ORDER
} from './constants.ts'
import { ByteReader } from './reader.ts'
import { type Limits, readLimits, skipValType } from './types.ts'

export interface Section {
  id: number
  /** Offset of the id byte. */
  start: number
  /** Offset of the first content byte. */
  contentStart: number
  /** Offset just past the contents. */
  end: number
}

/** One entry of the import section (§5.5.5). */
export interface Import {
  module: string
  name: string
  /** `EXTERN_FUNC`, `EXTERN_TABLE`, `EXTERN_MEMORY`, `EXTERN_GLOBAL` or `EXTERN_TAG`. */
  kind: number
  /** A table's or memory's limits; absent for the other kinds. */
  limits?: Limits
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

/** A reader over the section's contents, stopping at its end. */
export function sectionReader (bytes: Uint8Array, section: Section): ByteReader {
  return new ByteReader(bytes, section.contentStart, section.end)
}

/** Every entry of the import section (§5.5.5), in index order. */
export function readImports (reader: ByteReader): Import[] {
  const imports: Import[] = []
  const count = reader.u32()
  for (let i = 0; i < count; i++) {
    const module = reader.name()
    const name = reader.name()
    const kind = reader.byte()
    if (kind === EXTERN_FUNC) {
      reader.u32() // type index
      imports.push({ module, name, kind })
    } else if (kind === EXTERN_TABLE) {
      skipValType(reader) // reference type
      imports.push({ module, name, kind, limits: readLimits(reader) })
    } else if (kind === EXTERN_MEMORY) {
      imports.push({ module, name, kind, limits: readLimits(reader) })
    } else if (kind === EXTERN_GLOBAL) {
      skipValType(reader)
      reader.byte() // mutability
      imports.push({ module, name, kind })
    } else if (kind === EXTERN_TAG) {
      reader.byte() // attribute
      reader.u32() // type index
      imports.push({ module, name, kind })
    } else {
      throw new InvalidModuleError(`Unknown import kind 0x${kind.toString(16)}`)
    }
  }
  return imports
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
