/**
 * Numbers of the WebAssembly binary format (core spec §5) that this layer and
 * its users (the fuel meter, the memory cap) read or write.
 */

/** "\0asm" and binary format version 1 (§5.5.16). */
export const MAGIC_AND_VERSION: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

// Section ids (§5.5.2–§5.5.13; tag, 13, is the exception-handling proposal).
export const SECTION_CUSTOM = 0
export const SECTION_TYPE = 1
export const SECTION_IMPORT = 2
export const SECTION_FUNCTION = 3
export const SECTION_TABLE = 4
export const SECTION_MEMORY = 5
export const SECTION_GLOBAL = 6
export const SECTION_EXPORT = 7
export const SECTION_START = 8
export const SECTION_ELEMENT = 9
export const SECTION_CODE = 10

/**
 * The order in which non-custom sections must appear (§5.5.16): ids are not
 * in order because data count (12) and tag (13) were added later.
 */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11]

// Import and export descriptor kinds (§5.5.5, §5.5.10; tag 0x04 is exception handling).
export const EXTERN_FUNC = 0x00
export const EXTERN_TABLE = 0x01
export const EXTERN_MEMORY = 0x02
export const EXTERN_GLOBAL = 0x03
export const EXTERN_TAG = 0x04

// Value types written by the meter (§5.3.1) and the global's mutability flag (§5.3.10).
export const VALTYPE_I64 = 0x7e
export const MUTABLE = 0x01

// Type section entries (§5.3.6, §5.5.4; rec, sub and sub final are the GC proposal's, which also adds struct and array).
export const FUNC_TYPE = 0x60
export const REC_GROUP = 0x4e
export const SUB_TYPE = 0x50
export const SUB_TYPE_FINAL = 0x4f
export const STRUCT_TYPE = 0x5f
export const ARRAY_TYPE = 0x5e

// Reference types with a heap-type immediate (function-references / GC proposals: `ref null ht`, `ref ht`).
export const REFTYPE_NULLABLE = 0x63
export const REFTYPE_NON_NULL = 0x64

// Limits flag bit meaning "has a maximum" (§5.3.7); threads (shared, 0x02) and memory64 (0x04) add other bits.
export const LIMITS_HAS_MAX = 0x01
