/**
 * The boundary check for byte arrays that public functions run on their
 * arguments, so that each one rejects a non-byte value with the same words.
 */

/**
 * Throws unless `value` is a Uint8Array (of exactly `length` bytes, when
 * given): a TypeError for the wrong type, a RangeError for the wrong length,
 * as @noble/ed25519 does. `what` names the value in the message:
 * "seed must be a Uint8Array", "seed must be 32 bytes, got 31".
 */
export function assertBytes (value: unknown, what: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`)
  if (length !== undefined && value.length !== length) throw new RangeError(`${what} must be ${length} bytes, got ${value.length}`)
}
