/**
 * Reading and capping a module's linear-memory limits (core spec §5.3.7,
 * §5.5.5, §5.5.8) before the engine instantiates it. Callers compile the
 * bytes first, so the structure is known to be valid; malformed bytes still
 * throw `InvalidModuleError` rather than read past the end.
 */
import { EXTERN_MEMORY, LIMITS_HAS_MAX, SECTION_IMPORT, SECTION_MEMORY } from './constants.ts'
import { readImports, readSections, sectionReader } from './sections.ts'
import { type Limits, readLimits } from './types.ts'
import { ByteWriter, writeSection } from './writer.ts'

export interface MemoryLimits {
  /** Initial size in 64 KiB pages. */
  minPages: number
  /** Maximum in pages, if declared. */
  maxPages?: number
  imported: boolean
}

function toMemoryLimits (limits: Limits, imported: boolean): MemoryLimits {
  return limits.max === undefined
    ? { minPages: limits.min, imported }
    : { minPages: limits.min, maxPages: limits.max, imported }
}

/** Every memory the module imports or defines, in index order. */
export function readMemoryLimits (bytes: Uint8Array): MemoryLimits[] {
  const memories: MemoryLimits[] = []
  for (const section of readSections(bytes)) {
    const reader = sectionReader(bytes, section)
    if (section.id === SECTION_IMPORT) {
      for (const { kind, limits } of readImports(reader)) {
        if (kind === EXTERN_MEMORY && limits !== undefined) memories.push(toMemoryLimits(limits, true))
      }
    } else if (section.id === SECTION_MEMORY) {
      const count = reader.u32()
      for (let i = 0; i < count; i++) memories.push(toMemoryLimits(readLimits(reader), false))
    }
  }
  return memories
}

/**
 * Returns the module with every defined memory's maximum lowered to at most
 * `maxPages`, so `memory.grow` past the limit fails inside the engine (it
 * returns -1, §4.4.7) instead of being noticed afterwards. Sections are
 * self-delimiting and refer to one another by index, never by file offset,
 * so re-encoding one section leaves the rest valid. Returns null when the
 * module defines no memory.
 */
export function capMemory (bytes: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> | null {
  const section = readSections(bytes).find(s => s.id === SECTION_MEMORY)
  if (section === undefined) return null
  const reader = sectionReader(bytes, section)
  const count = reader.u32()
  const contents = new ByteWriter(section.end - section.contentStart + 16)
  contents.u32(count)
  for (let i = 0; i < count; i++) {
    const { flags, min, max } = readLimits(reader)
    // max ≥ min keeps the module valid; callers reject min > maxPages beforehand.
    const capped = Math.min(max ?? Number.POSITIVE_INFINITY, Math.max(maxPages, min))
    // Shared and memory64 flags are kept: both count pages, and LEB128 hides the width.
    contents.byte(flags | LIMITS_HAS_MAX)
    contents.u64(min)
    contents.u64(capped)
  }
  const out = new ByteWriter(bytes.length + 32)
  out.bytes(bytes.subarray(0, section.start))
  writeSection(out, SECTION_MEMORY, contents)
  out.bytes(bytes.subarray(section.end))
  return out.toBytes()
}
