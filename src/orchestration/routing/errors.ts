import { nameError } from '../../core/errors.ts'

/** Thrown when a delay or an estimate is negative, NaN or infinite. */
export class InvalidDelayError extends RangeError {
  static { nameError(this, 'InvalidDelayError') }
}

/** Thrown when `choose` or `estimate` is given no neighbours. */
export class NoNeighboursError extends RangeError {
  static { nameError(this, 'NoNeighboursError') }
}

/** Thrown when a destination or neighbour key is not a non-empty string within MAX_ROUTE_KEY_LENGTH. */
export class InvalidRouteKeyError extends TypeError {
  static { nameError(this, 'InvalidRouteKeyError') }
}

/** Thrown when a QRouter option is out of range (learning rate outside (0, 1], negative prior, …). */
export class InvalidRouterOptionsError extends RangeError {
  static { nameError(this, 'InvalidRouterOptionsError') }
}

/** Thrown by `QRouter.fromJSON` when the table has another version, a bad field, or too many entries. */
export class InvalidQTableError extends Error {
  static { nameError(this, 'InvalidQTableError') }
}
