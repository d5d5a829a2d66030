/** The types (core spec §5.3) that module-level structures embed. */
import { LIMITS_HAS_MAX, REFTYPE_NON_NULL, REFTYPE_NULLABLE } from './constants.ts'
import type { ByteReader } from './reader.ts'

/** Limits (§5.3.7), of a memory in 64 KiB pages or of a table in elements. */
export interface Limits {
  /** The flags byte: bit 0 means "has a maximum"; threads and memory64 set others. */
  flags: number
  min: number
  max?: number
}

/** Reads a value type (§5.3.1), including `ref null? ht` (function-references proposal). */
export function skipValType (reader: ByteReader): void {
  const type = reader.byte()
  if (type === REFTYPE_NULLABLE || type === REFTYPE_NON_NULL) reader.skipLeb(5)
}

/** Limits (§5.3.7): a flags byte, a minimum, and a maximum if flag bit 0 is set; u64 under memory64. */
export function readLimits (reader: ByteReader): Limits {
  const flags = reader.byte()
  const min = reader.u64()
  return (flags & LIMITS_HAS_MAX) !== 0 ? { flags, min, max: reader.u64() } : { flags, min }
}
