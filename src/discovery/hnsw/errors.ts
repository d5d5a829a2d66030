/** Thrown when a vector has the wrong length, a non-finite component, or (cosine) zero norm. */
export class InvalidVectorError extends RangeError {
  override readonly name = 'InvalidVectorError'
}

/** Thrown when `deserialize` is given bytes that are not a valid index of a known format version. */
export class CorruptIndexError extends Error {
  override readonly name = 'CorruptIndexError'
}

/** Thrown when `deserialize` meets a well-formed index written by a newer format version. */
export class UnsupportedIndexVersionError extends Error {
  override readonly name = 'UnsupportedIndexVersionError'
}
