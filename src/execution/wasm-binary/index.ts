/**
 * Just enough of the WebAssembly binary format (core spec §5) for the two
 * passes the sandbox runs over untrusted bytes before compiling them again:
 * capping linear memory (memory.ts) and fuel metering (../metering/). Byte
 * and LEB128 reading and writing, the section list with its order rules, the
 * import and export entries, limits. Malformed bytes throw the execution
 * layer's `InvalidModuleError`.
 *
 * @example
 * ```ts
 * for (const memory of readMemoryLimits(bytes)) console.log(memory.minPages, memory.maxPages)
 * const capped = capMemory(bytes, 256) ?? bytes // at most 16 MiB
 * ```
 */
export * from './constants.ts'
export { ByteReader } from './reader.ts'
export { ByteWriter, writeSection, writeSized } from './writer.ts'
export { type Limits, readLimits, skipValType } from './types.ts'
export { type Import, readExportNames, readImports, readSections, type Section, sectionRank, sectionReader } from './sections.ts'
export { capMemory, type MemoryLimits, readMemoryLimits } from './memory.ts'
