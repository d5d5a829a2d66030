import { nameError } from '../../../core/errors.ts'

/**
 * Thrown when an Estimates message breaks the schema or a limit: undecodable
 * or oversized bytes, more than MAX_SHARED_ESTIMATES entries, an empty or
 * overlong dest, a dest listed twice, or an ms that is not a finite number ≥ 0.
 */
export class InvalidEstimatesError extends Error {
  static { nameError(this, 'InvalidEstimatesError') }
}
