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
