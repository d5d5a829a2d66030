import { nameError } from '../../core/errors.ts'

/** Thrown when the asked peer does not hold the module. */
export class ModuleNotFoundError extends Error {
  static { nameError(this, 'ModuleNotFoundError') }
}
