/**
 * Fixed values of a workflow run's shared context (docs/workflow-context.md).
 * The `kind` string is inside the signed bytes, so a context entry's
 * signature can never be replayed as a receipt, a bid or a workflow record
 * (domain separation).
 */

/** Tag of every context entry (signed by its writer). */
export const CONTEXT_ENTRY_KIND = 'zerostate/context-entry/1'

/** The merge rules a key may declare. */
export const CONTEXT_RULES = ['append', 'min', 'max', 'sum', 'lww'] as const

/** The value types a key may declare; `json` is any JSON value. */
export const CONTEXT_TYPES = ['number', 'string', 'json'] as const

/** Most keys one context declares. */
export const MAX_CONTEXT_KEYS = 64

/** Longest key name (a key is named like a step or an input of the spec). */
export const MAX_CONTEXT_KEY_LENGTH = 64

/** Largest value one entry may carry, in bytes of its RFC 8785 canonical UTF-8 form. */
export const MAX_CONTEXT_VALUE_BYTES = 64 * 1024

/** Most entries an `append` key holds, and most contributions a `sum` key counts. */
export const MAX_CONTEXT_KEY_ENTRIES = 1000

/**
 * Largest context a step can be shown (/work/context.json), in bytes of
 * canonical UTF-8. Checked on the schema, against the worst case of every
 * key (checkContextSchema), so no set of entries can ever exceed it and no
 * replica has to cut the context at a point that depends on arrival order.
 */
export const MAX_CONTEXT_BYTES = 1024 * 1024

/** A key's `maxBytes` when it declares none: 1 KiB. */
export const DEFAULT_CONTEXT_VALUE_BYTES = 1024

/** An append key's `maxEntries` when it declares none. */
export const DEFAULT_APPEND_ENTRIES = 100

/**
 * Largest magnitude of one `sum` delta: 2^43. With at most
 * MAX_CONTEXT_KEY_ENTRIES (< 2^10) contributions, a sum of integers stays a
 * safe integer (< 2^53) and any sum stays finite, by construction, whatever
 * entries arrive, so no replica ever has to refuse an entry for what the
 * others added.
 */
export const MAX_SUM_DELTA = 2 ** 43

/**
 * Longest canonical number JSON can hold for a finite double
 * (`-1.7976931348623157e+308`, `-2.2250738585072014e-308`): the worst case of
 * a `number` key.
 */
export const MAX_NUMBER_JSON_BYTES = 24

/** Longest contextId (the run id, the A2A contextId): 1–128 characters of [A-Za-z0-9_-], as the workflow record's runId. */
export const MAX_CONTEXT_ID_LENGTH = 128

/** Largest lamport clock value: JSON integers are exact only up to 2^53 − 1 (RFC 7493 §2.2). */
export const MAX_LAMPORT = Number.MAX_SAFE_INTEGER

/** Upper bound on the UTF-8 length of an entry's canonical form: its largest value plus 1 KiB for the other fields. */
export const MAX_CONTEXT_ENTRY_BYTES = MAX_CONTEXT_VALUE_BYTES + 1024

/** Where a step finds the context (the object ContextState.value() returns), as an input file. */
export const CONTEXT_INPUT_PATH = '/work/context.json'

/** Where a step writes the updates it proposes: a JSON array of `{ "key", "value" }`. */
export const CONTEXT_UPDATES_PATH = '/work/context-updates.json'

/** Most updates one step may propose at once. */
export const MAX_CONTEXT_PROPOSALS = 256

/** Largest updates file accepted, in bytes: the proposals at their largest would never fit the context anyway. */
export const MAX_CONTEXT_UPDATES_BYTES = MAX_CONTEXT_BYTES + 64 * 1024
