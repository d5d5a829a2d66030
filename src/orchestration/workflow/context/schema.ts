/**
 * A context's schema: which keys a run's shared context has, and how each
 * merges (docs/workflow-context.md §2). Declared in the workflow spec (its
 * `context` member, once the spec grows one) and checked here, once, before
 * any entry is applied: a key's rule and type, its size limits, and that the
 * whole context, every key at its largest, fits MAX_CONTEXT_BYTES. A schema
 * it returned is checked: giving it back returns it as is.
 *
 * @example
 * const schema = checkContextSchema({
 *   findings: { rule: 'append', maxEntries: 200 },
 *   bestScore: { rule: 'max' },
 *   processed: { rule: 'sum' },
 *   status: { rule: 'lww', type: 'string', maxBytes: 256 }
 * })
 */
import { canonicalize, utf8ToBytes } from '../../../core/index.ts'
import { FORBIDDEN_KEYS } from '../spec/constants.ts'
import {
  CONTEXT_RULES, CONTEXT_TYPES, DEFAULT_APPEND_ENTRIES, DEFAULT_CONTEXT_VALUE_BYTES, MAX_CONTEXT_BYTES, MAX_CONTEXT_KEY_ENTRIES,
  MAX_CONTEXT_KEY_LENGTH, MAX_CONTEXT_KEYS, MAX_CONTEXT_VALUE_BYTES, MAX_NUMBER_JSON_BYTES, MAX_SUM_DELTA
} from './constants.ts'
import { ContextEntryLimitError, ContextRuleViolationError, InvalidContextSchemaError, UndeclaredContextKeyError } from './errors.ts'

/** How a key's entries merge (§3): all kept in order, the least, the greatest, the total, or the last written. */
export type ContextRule = typeof CONTEXT_RULES[number]

/** What a key's values may be: a finite number, a string, or any JSON value. */
export type ContextType = typeof CONTEXT_TYPES[number]

/** One key as written in a spec: only `rule` is required. */
export interface ContextKeyDeclaration {
  rule: ContextRule
  /** `number` for min, max and sum (the only type they take); `json` for append and lww unless given. */
  type?: ContextType
  /** Largest value, bytes of canonical UTF-8 (a string's quotes count); string and json keys only. Default 1 KiB, at most 64 KiB. */
  maxBytes?: number
  /** Most entries an append key holds (default 100), or contributions a sum key counts (default 1000); at most 1000. */
  maxEntries?: number
}

/** One key as checked: every limit filled in. */
export interface ContextKeySpec {
  readonly rule: ContextRule
  readonly type: ContextType
  /** Largest value, bytes of canonical UTF-8; MAX_NUMBER_JSON_BYTES for a number key. */
  readonly maxBytes: number
  /** Most entries the key holds: 1 for min, max and lww, which keep their winner only. */
  readonly maxEntries: number
}

/** A checked schema: key → spec, frozen. Read it with Object.hasOwn. */
export type ContextSchema = Readonly<Record<string, ContextKeySpec>>

/** A key name: a spec name (letters, digits, '_' and '-', starting with a letter or '_'). */
const KEY_PATTERN = new RegExp(`^[A-Za-z_][A-Za-z0-9_-]{0,${MAX_CONTEXT_KEY_LENGTH - 1}}$`)

const DECLARATION_MEMBERS = ['rule', 'type', 'maxBytes', 'maxEntries']

/** Schemas checkContextSchema returned (frozen), so that checking one again returns it as is. */
const checked = new WeakSet<ContextSchema>()

/** True for a name a context key may have. */
export function isContextKey (value: unknown): value is string {
  return typeof value === 'string' && KEY_PATTERN.test(value) && !(FORBIDDEN_KEYS as readonly string[]).includes(value)
}

/**
 * The schema's shape as JSON Schema (draft 2020-12), for the workflow spec's
 * own schema to embed under `context`. What a JSON Schema cannot say — a
 * type the rule does not take, `maxBytes` on a number key, the whole
 * context's worst case above MAX_CONTEXT_BYTES — checkContextSchema checks.
 */
export const CONTEXT_SCHEMA_JSON_SCHEMA = {
  description: 'Keys of the run\'s shared context and how each merges; see docs/workflow-context.md.',
  type: 'object',
  maxProperties: MAX_CONTEXT_KEYS,
  propertyNames: {
    type: 'string',
    pattern: KEY_PATTERN.source,
    not: { enum: [...FORBIDDEN_KEYS] }
  },
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    required: ['rule'],
    properties: {
      rule: { enum: [...CONTEXT_RULES] },
      type: { enum: [...CONTEXT_TYPES] },
      maxBytes: { type: 'integer', minimum: 1, maximum: MAX_CONTEXT_VALUE_BYTES },
      maxEntries: { type: 'integer', minimum: 1, maximum: MAX_CONTEXT_KEY_ENTRIES }
    }
  }
} as const

/**
 * Checks a schema as written (JSON: key → declaration) and returns it with
 * every limit filled in, frozen; throws InvalidContextSchemaError naming the
 * first bad member.
 */
export function checkContextSchema (value: unknown): ContextSchema {
  if (typeof value === 'object' && value !== null && checked.has(value as ContextSchema)) return value as ContextSchema
  const record = jsonObject(value, '')
  const keys = Object.keys(record)
  if (keys.length > MAX_CONTEXT_KEYS) throw new InvalidContextSchemaError('', `declares ${keys.length} keys, at most ${MAX_CONTEXT_KEYS}`)
  const schema: Record<string, ContextKeySpec> = {}
  // Sorted: the worst-case sum below and the frozen result do not depend on the order written.
  for (const key of keys.sort()) {
    if (!isContextKey(key)) {
      throw new InvalidContextSchemaError(key, `is not a key name: 1 to ${MAX_CONTEXT_KEY_LENGTH} of [A-Za-z0-9_-], starting with a letter or '_', not ${FORBIDDEN_KEYS.join(', ')}`)
    }
    schema[key] = Object.freeze(checkDeclaration(record[key], key))
  }
  const worst = worstCaseContextBytes(schema)
  if (worst > MAX_CONTEXT_BYTES) {
    throw new InvalidContextSchemaError('', `every key at its largest makes a context of ${worst} bytes, limit ${MAX_CONTEXT_BYTES}: lower maxBytes or maxEntries`)
  }
  const result = Object.freeze(schema)
  checked.add(result)
  return result
}

/**
 * The largest canonical UTF-8 form ContextState.value() can take under
 * `schema`: every key present at its largest (RFC 8785 writes no
 * whitespace; key names are ASCII, so each is its length plus two quotes).
 */
export function worstCaseContextBytes (schema: ContextSchema): number {
  const keys = Object.keys(schema)
  let total = 2 + Math.max(0, keys.length - 1) // braces and commas
  for (const key of keys) {
    const { rule, maxBytes, maxEntries } = schema[key]!
    const value = rule === 'append' ? 2 + maxEntries * maxBytes + Math.max(0, maxEntries - 1) : maxBytes
    total += key.length + 3 + value // "key":value
  }
  return total
}

/**
 * Checks a value written to `key` against the schema: the key is declared
 * (else UndeclaredContextKeyError); the value is of the key's type, and a
 * sum delta at most MAX_SUM_DELTA in magnitude (else
 * ContextRuleViolationError); it is at most the key's maxBytes (else
 * ContextEntryLimitError). Stateless, so every replica refuses the same
 * entries. Returns the key's spec.
 */
export function checkContextValue (schema: ContextSchema, key: string, value: unknown): ContextKeySpec {
  if (!Object.hasOwn(schema, key)) throw new UndeclaredContextKeyError(key, `context key ${key} is not declared`)
  const spec = schema[key]!
  if (spec.type === 'number' && typeof value !== 'number') {
    throw new ContextRuleViolationError(key, `a ${spec.rule} key of type number takes finite numbers, not ${describe(value)}`)
  }
  if (spec.type === 'string' && typeof value !== 'string') {
    throw new ContextRuleViolationError(key, `a ${spec.rule} key of type string takes strings, not ${describe(value)}`)
  }
  if (spec.rule === 'sum' && Math.abs(value as number) > MAX_SUM_DELTA) {
    throw new ContextRuleViolationError(key, `a sum delta is at most ${MAX_SUM_DELTA} in magnitude, so the total stays exact and finite; got ${String(value)}`)
  }
  const size = utf8ToBytes(canonicalize(value)).length
  if (size > spec.maxBytes) throw new ContextEntryLimitError(key, `value is ${size} bytes in canonical form, the key takes at most ${spec.maxBytes}`)
  return spec
}

function describe (value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
}

function checkDeclaration (value: unknown, key: string): ContextKeySpec {
  const declaration = jsonObject(value, key)
  for (const member of Object.keys(declaration)) {
    if (!DECLARATION_MEMBERS.includes(member)) throw new InvalidContextSchemaError(`${key}.${member}`, 'is not a member of a key declaration')
  }
  const rule = declaration.rule
  if (!(CONTEXT_RULES as readonly unknown[]).includes(rule)) throw new InvalidContextSchemaError(`${key}.rule`, `must be one of ${CONTEXT_RULES.join(', ')}`)
  const numeric = rule === 'min' || rule === 'max' || rule === 'sum'
  const type = declaration.type ?? (numeric ? 'number' : 'json')
  if (!(CONTEXT_TYPES as readonly unknown[]).includes(type)) throw new InvalidContextSchemaError(`${key}.type`, `must be one of ${CONTEXT_TYPES.join(', ')}`)
  if (numeric && type !== 'number') throw new InvalidContextSchemaError(`${key}.type`, `a ${String(rule)} key holds numbers only`)

  let maxBytes = MAX_NUMBER_JSON_BYTES
  if (type === 'number') {
    if (declaration.maxBytes !== undefined) throw new InvalidContextSchemaError(`${key}.maxBytes`, `a number key is at most ${MAX_NUMBER_JSON_BYTES} bytes; maxBytes is for string and json keys`)
  } else {
    maxBytes = integer(declaration.maxBytes ?? DEFAULT_CONTEXT_VALUE_BYTES, `${key}.maxBytes`, type === 'string' ? 2 : 1, MAX_CONTEXT_VALUE_BYTES)
  }

  let maxEntries = 1
  if (rule === 'append' || rule === 'sum') {
    maxEntries = integer(declaration.maxEntries ?? (rule === 'append' ? DEFAULT_APPEND_ENTRIES : MAX_CONTEXT_KEY_ENTRIES), `${key}.maxEntries`, 1, MAX_CONTEXT_KEY_ENTRIES)
  } else if (declaration.maxEntries !== undefined) {
    throw new InvalidContextSchemaError(`${key}.maxEntries`, `a ${String(rule)} key keeps one value; maxEntries is for append and sum keys`)
  }
  return { rule: rule as ContextRule, type: type as ContextType, maxBytes, maxEntries }
}

function jsonObject (value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidContextSchemaError(field, 'must be a JSON object')
  return value as Record<string, unknown>
}

function integer (value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidContextSchemaError(field, `must be an integer from ${min} to ${max}`)
  }
  return value
}
