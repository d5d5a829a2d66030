/**
 * Just enough of the WebAssembly binary format (core spec §5) to read and cap
 * a module's linear-memory limits before the engine instantiates it.
 * Callers compile the bytes first, so the structure is known to be valid;
 * the reader still bounds-checks every read and throws `RangeError`.
 */

const MAGIC_AND_VERSION = 8
const SECTION_IMPORT = 2
const SECTION_MEMORY = 5

// Import descriptor kinds, §5.5.5 (tag is the exception-handling proposal).
const IMPORT_FUNC = 0x00
const IMPORT_TABLE = 0x01
const IMPORT_MEMORY = 0x02
const IMPORT_GLOBAL = 0x03
const IMPORT_TAG = 0x04

// Limits flag, §5.3.7; threads (shared, 0x02) and memory64 (0x04) add other bits.
const LIMITS_HAS_MAX = 0x01

export interface MemoryLimits {
  /** Initial size in 64 KiB pages. */
  minPages: number
  /** Maximum in pages, if declared. */
  maxPages?: number
  imported: boolean
}

class Reader {
  readonly bytes: Uint8Array
  offset: number

  constructor (bytes: Uint8Array, offset: number) {
    this.bytes = bytes
    this.offset = offset
  }

  byte (): number {
    const b = this.bytes[this.offset++]
    if (b === undefined) throw new RangeError('Unexpected end of module')
    return b
  }

  /** Unsigned LEB128 (§5.2.2), up to 64 bits, as a double: exact below 2^53, which covers every real page count. */
  leb (): number {
    let result = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      const b = this.byte()
      result += (b & 0x7f) * scale
      if ((b & 0x80) === 0) return result
      scale *= 128
    }
    throw new RangeError('LEB128 number is too long')
  }

  skip (n: number): void {
    if (this.offset + n > this.bytes.length) throw new RangeError('Unexpected end of module')
    this.offset += n
  }

  limits (): { flags: number, min: number, max?: number } {
    const flags = this.byte()
    const min = this.leb()
    return (flags & LIMITS_HAS_MAX) !== 0 ? { flags, min, max: this.leb() } : { flags, min }
  }
}

interface Section {
  id: number
  /** Offset of the id byte. */
  start: number
  /** Offset of the first content byte. */
  contentStart: number
  end: number
}

function * sections (bytes: Uint8Array): Generator<Section> {
  const reader = new Reader(bytes, MAGIC_AND_VERSION)
  while (reader.offset < bytes.length) {
    const start = reader.offset
    const id = reader.byte()
    const size = reader.leb()
    const contentStart = reader.offset
    reader.skip(size)
    yield { id, start, contentStart, end: reader.offset }
  }
}

function toMemoryLimits (limits: { min: number, max?: number }, imported: boolean): MemoryLimits {
  return limits.max === undefined
    ? { minPages: limits.min, imported }
    : { minPages: limits.min, maxPages: limits.max, imported }
}

/** Every memory the module imports or defines, in index order. */
export function readMemoryLimits (bytes: Uint8Array): MemoryLimits[] {
  const memories: MemoryLimits[] = []
  for (const section of sections(bytes)) {
    const reader = new Reader(bytes, section.contentStart)
    if (section.id === SECTION_IMPORT) {
      const count = reader.leb()
      for (let i = 0; i < count; i++) {
        reader.skip(reader.leb()) // module name
        reader.skip(reader.leb()) // field name
        const kind = reader.byte()
        if (kind === IMPORT_FUNC) reader.leb()
        else if (kind === IMPORT_TABLE) { reader.byte(); reader.limits() }
        else if (kind === IMPORT_MEMORY) memories.push(toMemoryLimits(reader.limits(), true))
        else if (kind === IMPORT_GLOBAL) { reader.byte(); reader.byte() }
        else if (kind === IMPORT_TAG) { reader.byte(); reader.leb() }
        else throw new RangeError(`Unknown import kind 0x${kind.toString(16)}`)
      }
    } else if (section.id === SECTION_MEMORY) {
      const count = reader.leb()
      for (let i = 0; i < count; i++) memories.push(toMemoryLimits(reader.limits(), false))
    }
  }
  return memories
}

function encodeLeb (value: number, out: number[]): void {
  do {
    let b = value % 128
    value = Math.floor(value / 128)
    if (value > 0) b |= 0x80
    out.push(b)
  } while (value > 0)
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
  for (const section of sections(bytes)) {
    if (section.id !== SECTION_MEMORY) continue
    const reader = new Reader(bytes, section.contentStart)
    const count = reader.leb()
    const content: number[] = []
    encodeLeb(count, content)
    for (let i = 0; i < count; i++) {
      const { flags, min, max } = reader.limits()
      // max ≥ min keeps the module valid; callers reject min > maxPages beforehand.
      const capped = Math.min(max ?? Number.POSITIVE_INFINITY, Math.max(maxPages, min))
      // Shared and memory64 flags are kept: both count pages, and LEB128 hides the width.
      content.push(flags | LIMITS_HAS_MAX)
      encodeLeb(min, content)
      encodeLeb(capped, content)
    }
    const header: number[] = [SECTION_MEMORY]
    encodeLeb(content.length, header)
    const out = new Uint8Array(section.start + header.length + content.length + bytes.length - section.end)
    out.set(bytes.subarray(0, section.start), 0)
    out.set(header, section.start)
    out.set(content, section.start + header.length)
    out.set(bytes.subarray(section.end), section.start + header.length + content.length)
    return out
  }
  return null
}
