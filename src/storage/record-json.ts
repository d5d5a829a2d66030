/**
 * The JSON a file-backed store keeps its records in. IndexedDB keeps values
 * by structured clone; JSON alone would turn the bytes in a record (a task's
 * stdin, the capability index) into `{"0":…}` objects and silently mangle
 * other values. So bytes are written as `{"$bytes":"<base64url>"}`, and any
 * value JSON cannot give back as it was is refused with UnstorableValueError
 * rather than stored changed: NaN and ±Infinity, `undefined` in an array,
 * bigint, functions, symbols, cycles, and the non-plain objects structured
 * clone treats specially (Map, Set, Date, RegExp, ArrayBuffer, other typed
 * arrays). An object property that is `undefined` is left out, as
 * JSON.stringify does (reading it gives `undefined` either way).
 */
import { base64UrlToBytes, bytesToBase64Url, nameError } from '../core/index.ts'

/** Thrown when a value given to the store cannot be kept as JSON and read back unchanged. */
export class UnstorableValueError extends TypeError {
  static { nameError(this, 'UnstorableValueError') }
}

const BYTES = '$bytes'

/** `value` as JSON text; `undefined` (nothing to keep) as null. */
export function encodeRecord (value: unknown): string | null {
  if (value === undefined) return null
  return JSON.stringify(toJsonValue(value, '', new Set()))
}

/** The value `encodeRecord` was given (a fresh copy); null gives undefined. */
export function decodeRecord (text: string | null): unknown {
  if (text === null) return undefined
  return JSON.parse(text, (_key, value: unknown) => isBytesTag(value) ? base64UrlToBytes(value[BYTES]) : value)
}

function isBytesTag (value: unknown): value is { [BYTES]: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const keys = Object.keys(value)
  return keys.length === 1 && keys[0] === BYTES && typeof (value as Record<string, unknown>)[BYTES] === 'string'
}

function toJsonValue (value: unknown, path: string, seen: Set<object>): unknown {
  const refuse = (what: string): never => {
    throw new UnstorableValueError(`${what} at ${path === '' ? 'the top' : path} cannot be stored`)
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      return Number.isFinite(value) ? value : refuse(String(value))
    case 'object':
      break
    default:
      return refuse(typeof value)
  }
  if (value === null) return null
  // Buffer is a Uint8Array too; structured clone gives it back as a plain Uint8Array, and so does this.
  if (value instanceof Uint8Array) return { [BYTES]: bytesToBase64Url(value) }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Map || value instanceof Set ||
    value instanceof Date || value instanceof RegExp) {
    return refuse(Object.prototype.toString.call(value))
  }
  if (seen.has(value)) return refuse('a cycle')
  seen.add(value)
  let out: unknown
  if (Array.isArray(value)) {
    out = value.map((item: unknown, i) => item === undefined ? refuse('undefined') : toJsonValue(item, `${path}[${i}]`, seen))
  } else {
    // Own enumerable string keys, prototype dropped: what structured clone keeps of an object.
    const entries = Object.entries(value).filter(([, item]) => item !== undefined)
    if (entries.length === 1 && entries[0]![0] === BYTES) refuse(`an object with the one key ${BYTES} (reserved for bytes)`)
    out = Object.fromEntries(entries.map(([key, item]) => [key, toJsonValue(item, `${path}.${key}`, seen)]))
  }
  seen.delete(value)
  return out
}
