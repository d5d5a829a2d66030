/**
 * Errors of the fuel meter. Callers and tests branch on `err.name`. Malformed
 * bytes throw the execution layer's `InvalidModuleError`.
 */

import { nameError } from '../../core/errors.ts'

/**
 * Thrown when a function body holds an instruction the meter cannot decode
 * (exception handling, GC, threads, or an opcode no proposal defines). The
 * meter must know every instruction's immediates to find the next one.
 */
export class UnsupportedInstructionError extends Error {
  static { nameError(this, 'UnsupportedInstructionError') }
  /** The opcode in hex, prefix first (`0x06`, `0xfd 0x9a`). */
  opcode: string
  /** Index of the function in the function index space (imports first). */
  functionIndex: number

  constructor (message = 'Module uses an instruction the fuel meter does not support', opcode = '', functionIndex = -1) {
    super(message)
    this.opcode = opcode
    this.functionIndex = functionIndex
  }
}

/**
 * Thrown when the module already exports the fuel global's name, which also
 * catches metering a module twice.
 */
export class FuelExportConflictError extends Error {
  static { nameError(this, 'FuelExportConflictError') }
  constructor (message = 'Module already has an export named like the fuel global') {
    super(message)
  }
}
