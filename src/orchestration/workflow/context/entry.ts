/**
 * Context entries, version 1 (docs/workflow-context.md §4): "`writer` sets
 * `key` of context `contextId` to (or, by the key's rule, merges into it)
 * `value`, at its Lamport time `lamport`". Signed as bids and receipts are
 * (through crypto/signed-document.ts): pure Ed25519 over the UTF-8 of the
 * RFC 8785 canonical JSON of every field but `signature`, with `publicKey`
 * bound to the `writer` PeerId.
 *
 * `at` is the writer's wall clock, for people reading the log; it is signed
 * but not checked against the verifier's clock, and no merge reads it: a
 * verdict that depended on when a replica looked would make replicas differ.
 */
import { canonicalize, sha256Hex, utf8ToBytes } from '../../../core/index.ts'
import {
  ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, fieldCheckers, parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument
} from '../../../crypto/index.ts'
import type { PeerIdentity } from '../../../crypto/index.ts'
import { CONTEXT_ENTRY_KIND, MAX_CONTEXT_ENTRY_BYTES, MAX_CONTEXT_ID_LENGTH, MAX_CONTEXT_KEY_LENGTH, MAX_CONTEXT_VALUE_BYTES, MAX_LAMPORT } from './constants.ts'
import { ContextEntryKeyMismatchError, ContextEntrySignatureError, ContextEntryTooLargeError, InvalidContextEntryError } from './errors.ts'
import { isContextKey } from './schema.ts'

/** Every field of a context entry except its signature: exactly what is signed. */
export interface UnsignedContextEntry {
  kind: typeof CONTEXT_ENTRY_KIND
  /** The run's id (the A2A contextId of its tasks): the entry counts in that context and no other. */
  contextId: string
  /** A key the context's schema declares. */
  key: string
  /** Any JSON value, at most MAX_CONTEXT_VALUE_BYTES in canonical form; what the key's rule takes (checked on apply). */
  value: unknown
  /** PeerId (base58btc) of the writer, who signs the entry. */
  writer: string
  /** The writer's Lamport clock at this write, an integer ≥ 1: above every lamport the writer had seen in the context. */
  lamport: number
  /** Unix epoch ms when the writer signed; informational, never merged on. */
  at: number
  /**
   * When the submitter writes on a step's behalf (the step's proposals,
   * proposalsFromOutput), the `receiptHash` of the receipt whose output
   * files held them; null for a direct write.
   */
  receiptHash: string | null
  /** The writer's raw 32-byte Ed25519 public key, unpadded base64url. */
  publicKey: string
}

export interface ContextEntry extends UnsignedContextEntry {
  /** Unpadded base64url of the 64-byte Ed25519 signature over the canonical unsigned entry. */
  signature: string
}

/** What signContextEntry takes: `kind` may be left out, and `receiptHash` (null). */
export type ContextEntryFields = Omit<UnsignedContextEntry, 'kind' | 'receiptHash'> & { kind?: typeof CONTEXT_ENTRY_KIND, receiptHash?: string | null }

/** The signed members, in the order docs/workflow-context.md lists them. */
export const UNSIGNED_CONTEXT_ENTRY_FIELDS = [
  'kind', 'contextId', 'key', 'value', 'writer', 'lamport', 'at', 'receiptHash', 'publicKey'
] as const satisfies ReadonlyArray<keyof UnsignedContextEntry>

const CONTEXT_ENTRY_FIELDS = [...UNSIGNED_CONTEXT_ENTRY_FIELDS, 'signature'] as const

const CONTEXT_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CONTEXT_ID_LENGTH}}$`)

const check = fieldCheckers((field, message) => new InvalidContextEntryError(field, message), 'a version 1 context entry')

/** Not dated against a clock (see the file's comment). */
const CONTEXT_ENTRY = signedDocumentFormat<ContextEntry>({
  name: 'context entry',
  signedFields: UNSIGNED_CONTEXT_ENTRY_FIELDS,
  signerField: 'writer',
  maxBytes: MAX_CONTEXT_ENTRY_BYTES,
  schema: readEntry,
  errors: { tooLarge: ContextEntryTooLargeError, keyMismatch: ContextEntryKeyMismatchError, signature: ContextEntrySignatureError }
})

/**
 * Entries whose signature this module has checked (or made). They are frozen,
 * so what was checked is what is applied; ContextState skips the Ed25519
 * verification for them, which makes merging one replica into another cheap.
 */
const authentic = new WeakSet<ContextEntry>()

/** True for a contextId: 1–128 characters of [A-Za-z0-9_-], as a workflow run id. */
export function isContextId (value: unknown): value is string {
  return typeof value === 'string' && CONTEXT_ID.test(value)
}

/** Checks the size limit, then the schema; returns a frozen copy holding exactly the entry's fields. Does not check the signature. */
export function parseContextEntry (value: unknown): ContextEntry {
  return parseSignedDocument(value, CONTEXT_ENTRY)
}

/** Signs an entry as `identity`, which must be the `writer` and own the `publicKey`; returns it frozen, as verifyContextEntry would. */
export async function signContextEntry (fields: ContextEntryFields, identity: PeerIdentity): Promise<ContextEntry> {
  const record = check.jsonObject(fields, 'context entry')
  check.exactMembers(record, UNSIGNED_CONTEXT_ENTRY_FIELDS, '', ['kind', 'receiptHash'])
  const unsigned = readUnsigned({ ...record, kind: record.kind ?? CONTEXT_ENTRY_KIND, receiptHash: record.receiptHash ?? null })
  const entry = await signDocument(unsigned, identity, CONTEXT_ENTRY)
  authentic.add(entry)
  return entry
}

/**
 * Checks size, schema, that `publicKey` is the key inside `writer`, and the
 * signature; returns the checked copy, frozen. Whether the key is declared
 * and the value fits its rule is the state's to check (ContextState.apply).
 */
export function verifyContextEntry (value: unknown): ContextEntry {
  if (isAuthenticContextEntry(value)) return value
  const entry = verifyDocument(value, CONTEXT_ENTRY)
  authentic.add(entry)
  return entry
}

/** True for an entry returned by signContextEntry or verifyContextEntry (frozen, so unchanged since). */
export function isAuthenticContextEntry (value: unknown): value is ContextEntry {
  return typeof value === 'object' && value !== null && authentic.has(value as ContextEntry)
}

/** SHA-256 of the UTF-8 of the entry's canonical form, signature included: its identity in a context (Ed25519 signatures are deterministic, so the same write always has the same hash). */
export function contextEntryHash (entry: ContextEntry): string {
  return sha256Hex(utf8ToBytes(canonicalize(entry)))
}

/**
 * The Lamport clock (Lamport 1978, IR2) of a new write: one above every
 * lamport `seen` (a number or all of them), and at least 1.
 */
export function nextLamport (seen: number | Iterable<number>): number {
  let highest = 0
  for (const lamport of typeof seen === 'number' ? [seen] : seen) {
    if (!Number.isSafeInteger(lamport) || lamport < 0) throw new RangeError('a lamport clock is a safe integer ≥ 0')
    if (lamport > highest) highest = lamport
  }
  if (highest >= MAX_LAMPORT) throw new RangeError(`the lamport clock is at its largest, ${MAX_LAMPORT}`)
  return highest + 1
}

function readEntry (value: unknown): ContextEntry {
  const record = check.jsonObject(value, 'context entry')
  check.exactMembers(record, CONTEXT_ENTRY_FIELDS, '')
  return deepFreeze({ ...readUnsigned(record), signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) })
}

function readUnsigned (record: Record<string, unknown>): UnsignedContextEntry {
  if (record.kind !== CONTEXT_ENTRY_KIND) throw new InvalidContextEntryError('kind', `must be ${CONTEXT_ENTRY_KIND}`)
  if (!isContextId(record.contextId)) throw new InvalidContextEntryError('contextId', `must be 1 to ${MAX_CONTEXT_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  if (!isContextKey(record.key)) throw new InvalidContextEntryError('key', `must be a key name: 1 to ${MAX_CONTEXT_KEY_LENGTH} of [A-Za-z0-9_-], starting with a letter or '_'`)
  return {
    kind: CONTEXT_ENTRY_KIND,
    contextId: record.contextId,
    key: record.key,
    value: readValue(record.value),
    writer: check.peerId(record.writer, 'writer'),
    lamport: check.safeInteger(record.lamport, 'lamport', 1),
    at: check.safeInteger(record.at, 'at', 0),
    receiptHash: record.receiptHash === null ? null : check.hex256(record.receiptHash, 'receiptHash'),
    publicKey: check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  }
}

/** An owned copy of a JSON value, through its canonical form (which refuses what JSON cannot carry), at most MAX_CONTEXT_VALUE_BYTES. */
function readValue (value: unknown): unknown {
  if (value === undefined) throw new InvalidContextEntryError('value', 'is missing')
  let text: string
  try {
    text = canonicalize(value)
  } catch (err) {
    throw new InvalidContextEntryError('value', `must be a JSON value (${err instanceof Error ? err.message : String(err)})`)
  }
  if (utf8ToBytes(text).length > MAX_CONTEXT_VALUE_BYTES) throw new InvalidContextEntryError('value', `must be at most ${MAX_CONTEXT_VALUE_BYTES} bytes in canonical form`)
  // -0 canonicalizes as 0; reading it back normalizes it, as safeInteger does.
  return JSON.parse(text) as unknown
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member)
    Object.freeze(value)
  }
  return value
}
