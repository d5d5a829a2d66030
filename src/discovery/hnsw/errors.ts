import { nameError } from '../../core/errors.ts'

/** Thrown when a vector has the wrong length, a non-finite component, or (cosine) zero norm. */
export class InvalidVectorError extends RangeError {
  static { nameError(this, 'InvalidVectorError') }
}

/** Thrown when `deserialize` is given bytes that are not a valid index of a known format version. */
export class CorruptIndexError extends Error {
  static { nameError(this, 'CorruptIndexError') }
}

/** Thrown when `deserialize` meets a well-formed index written by a newer format version. */
export class UnsupportedIndexVersionError extends Error {
  static { nameError(this, 'UnsupportedIndexVersionError') }
}
