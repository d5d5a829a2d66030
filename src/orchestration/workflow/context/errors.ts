/** The ways a context schema, a context entry or a proposed update can be refused; callers and tests tell them apart by `name`. */
import { nameError } from '../../../core/errors.ts'

/** Thrown when a value is not a well-formed context schema; `field` names the first bad member (`tally.rule`). */
export class InvalidContextSchemaError extends Error {
  static { nameError(this, 'InvalidContextSchemaError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`context schema${field === '' ? '' : ` field ${field}`}: ${message}`)
    this.field = field
  }
}

/** Thrown when a value is not a well-formed version 1 context entry; `field` names the first bad field. */
export class InvalidContextEntryError extends Error {
  static { nameError(this, 'InvalidContextEntryError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`context entry field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when an entry's canonical form is longer than MAX_CONTEXT_ENTRY_BYTES. */
export class ContextEntryTooLargeError extends Error {
  static { nameError(this, 'ContextEntryTooLargeError') }
}

/** Thrown when an entry's `publicKey` is not the key inside its `writer` PeerId, or when asked to sign as someone else. */
export class ContextEntryKeyMismatchError extends Error {
  static { nameError(this, 'ContextEntryKeyMismatchError') }
}

/** Thrown when an entry's signature does not verify: forged, or altered after signing. */
export class ContextEntrySignatureError extends Error {
  static { nameError(this, 'ContextEntrySignatureError') }
}

/** Thrown when an entry belongs to another context (its `contextId` is not the state's). */
export class ContextIdMismatchError extends Error {
  static { nameError(this, 'ContextIdMismatchError') }
}

/** Thrown when an entry's writer is not one of the participants the state was told to accept. */
export class ContextWriterNotAllowedError extends Error {
  static { nameError(this, 'ContextWriterNotAllowedError') }
}

/** Thrown when an entry (or a proposed update) names a key the context's schema does not declare. */
export class UndeclaredContextKeyError extends Error {
  static { nameError(this, 'UndeclaredContextKeyError') }
  readonly key: string

  constructor (key: string, message = `context key ${key} is not declared`) {
    super(message)
    this.key = key
  }
}

/**
 * Thrown when a value breaks its key's merge rule or declared type: min, max
 * and sum take finite numbers only, a sum delta is at most MAX_SUM_DELTA in
 * magnitude, a `string` key takes strings.
 */
export class ContextRuleViolationError extends Error {
  static { nameError(this, 'ContextRuleViolationError') }
  readonly key: string

  constructor (key: string, message: string) {
    super(`context key ${key}: ${message}`)
    this.key = key
  }
}

/**
 * Thrown when a value is larger than its key's `maxBytes`, or when an entry
 * of an append or sum key falls beyond the key's `maxEntries` (it is not part
 * of the context, on any replica).
 */
export class ContextEntryLimitError extends Error {
  static { nameError(this, 'ContextEntryLimitError') }
  readonly key: string

  constructor (key: string, message: string) {
    super(`context key ${key}: ${message}`)
    this.key = key
  }
}

/** Thrown when a step's updates file is not a JSON array of `{ key, value }`; `field` names the first bad one (`[2].key`). */
export class InvalidContextProposalError extends Error {
  static { nameError(this, 'InvalidContextProposalError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`context updates ${field === '' ? 'file' : field}: ${message}`)
    this.field = field
  }
}

/** The errors that mean "this entry is not part of the context", as opposed to a caller's mistake. */
export const CONTEXT_ENTRY_REFUSALS: ReadonlyArray<new (...args: never[]) => Error> = [
  InvalidContextEntryError, ContextEntryTooLargeError, ContextEntryKeyMismatchError, ContextEntrySignatureError, ContextIdMismatchError,
  ContextWriterNotAllowedError, UndeclaredContextKeyError, ContextRuleViolationError, ContextEntryLimitError
]
