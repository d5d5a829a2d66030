/**
 * The name under which the fuel meter exports its counter. The numbers of
 * the binary format it reads and writes are in ../wasm-binary/constants.ts.
 */

/**
 * Export name of the mutable i64 global that holds the remaining fuel. The
 * host sets `instance.exports.zerostate_fuel.value = BigInt(budget)` before
 * `_start` and reads the remainder afterwards.
 */
export const FUEL_GLOBAL_EXPORT = 'zerostate_fuel'

/**
 * Import module and name of the host function the meter calls after every
 * `memory.grow` when asked to (`meterFuel(bytes, { reportMemoryGrowth: true })`):
 * type `[] -> []`, so that the host, which reads the exported memory's size
 * itself, is told when to look. Not `wasi_snapshot_preview1`: a task module
 * may not import it itself (module-check.ts refuses any other module).
 */
export const MEMORY_GROWTH_IMPORT_MODULE = 'zerostate'
export const MEMORY_GROWTH_IMPORT_NAME = 'memory_grew'
