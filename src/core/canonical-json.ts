/**
 * JSON Canonicalization Scheme, RFC 8785.
 *
 * `canonicalize` turns a JSON value into the one string RFC 8785 §3.2 allows
 * for it; hashing or signing the UTF-8 bytes of that string (§3.2.4) gives the
 * same result in every conforming implementation.
 *
 * Input must be I-JSON (RFC 8785 §3.1, RFC 7493): anything JSON cannot carry
 * unchanged is rejected rather than coerced the way JSON.stringify would
 * (which drops undefined, turns NaN into null and calls toJSON).
 *
 * @example
 * canonicalize({ b: [1e30, 4.50], a: 'x' }) // '{"a":"x","b":[1e+30,4.5]}'
 */
import { isWellFormedString } from './encoding.ts'
import { nameError } from './errors.ts'

/** Thrown when a number is NaN or ±Infinity, which JSON cannot represent (RFC 8785 §3.2.2.3). */
export class NonFiniteNumberError extends Error {
  static { nameError(this, 'NonFiniteNumberError') }
}

/**
 * Thrown when a value is not one of null, boolean, finite number, string,
 * array or plain object: undefined (including array holes), functions,
 * bigints, symbols, and class instances such as Date or Uint8Array.
 */
export class UnsupportedJsonValueError extends Error {
  static { nameError(this, 'UnsupportedJsonValueError') }
}

/** Thrown when a string or property name holds a lone surrogate, which I-JSON forbids (RFC 7493 §2.1). */
export class LoneSurrogateError extends Error {
  static { nameError(this, 'LoneSurrogateError') }
}

/** Thrown when an object or array contains itself. */
export class CircularJsonError extends Error {
  static { nameError(this, 'CircularJsonError') }
}

/** The RFC 8785 canonical form of `value`. */
export function canonicalize (value: unknown): string {
  return serialize(value, '$', new Set())
}

function serialize (value: unknown, path: string, ancestors: Set<object>): string {
  // RFC 8785 §3.2.2.1: literals as in ECMAScript JSON.stringify.
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      // RFC 8785 §3.2.2.3 prescribes ECMAScript Number::toString, which is what
      // String() performs; it already writes -0 as "0".
      if (!Number.isFinite(value)) throw new NonFiniteNumberError(`${path} is ${String(value)}, which JSON cannot represent`)
      return String(value)
    case 'string':
      return serializeString(value, path)
    case 'object':
      return serializeContainer(value, path, ancestors)
    default:
      throw new UnsupportedJsonValueError(`${path} is of type ${typeof value}, which JSON cannot represent`)
  }
}

function serializeString (value: string, path: string): string {
  if (!isWellFormedString(value)) throw new LoneSurrogateError(`${path} contains a lone surrogate`)
  // RFC 8785 §3.2.2.2 adopts ECMAScript JSON.stringify's escaping: \b \t \n \f \r \" \\,
  // \u00XX (lowercase hex) for other controls below U+0020, everything else verbatim.
  return JSON.stringify(value)
}

function serializeContainer (value: object, path: string, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new CircularJsonError(`${path} refers back to one of its ancestors`)
  ancestors.add(value)
  try {
    if (Array.isArray(value)) {
      const items: string[] = []
      for (let i = 0; i < value.length; i++) {
        // Index access rather than map(): map skips holes, which must be rejected.
        if (!(i in value)) throw new UnsupportedJsonValueError(`${path}[${i}] is a hole in a sparse array`)
        items.push(serialize(value[i], `${path}[${i}]`, ancestors))
      }
      return `[${items.join(',')}]`
    }
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      throw new UnsupportedJsonValueError(`${path} is a ${value.constructor?.name ?? 'non-plain'} object, not a plain object`)
    }
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw new UnsupportedJsonValueError(`${path} has symbol-keyed properties`)
    }
    const record = value as Record<string, unknown>
    // RFC 8785 §3.2.3: sort property names by their UTF-16 code units; the
    // string relational operators compare exactly that way.
    const keys = Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const members = keys.map(key => {
      const childPath = `${path}.${key}`
      return `${serializeString(key, childPath)}:${serialize(record[key], childPath, ancestors)}`
    })
    return `{${members.join(',')}}`
  } finally {
    ancestors.delete(value)
  }
}
