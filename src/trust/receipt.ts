/**
 * Execution receipts, format version 1 (normative text: docs/receipt-format.md).
 *
 * A receipt is the executor's signed statement of what it ran (module, stdin,
 * args, limits), for whom, and what came out (hashes of stdout and stderr,
 * exit code, timing). The signature is pure Ed25519 (RFC 8032 §5.1.6) over
 * the UTF-8 bytes of the RFC 8785 canonical JSON of every field except
 * `signature`; so anyone holding the JSON can check it, with no access to
 * this code or this network.
 *
 * @example
 * const receipt = await signReceipt(unsigned, identity)
 * // …sent as JSON, received by the submitter…
 * const checked = parseReceipt(JSON.parse(text))
 * await verifyReceipt(checked, { taskId, moduleHash, inputHash, outputHash, submitter: ownPeerId })
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { base64UrlToBytes, bytesToBase64Url, canonicalize, isSha256Hex, isWellFormedString, utf8ToBytes } from '../core/index.ts'
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, ed25519Verify, publicKeyMatchesPeerId } from '../crypto/index.ts'
import type { PeerIdentity } from '../crypto/index.ts'
import { MAX_RECEIPT_ARG_BYTES, MAX_RECEIPT_ARGS, MAX_RECEIPT_BYTES, MAX_TASK_ID_LENGTH, RECEIPT_VERSION } from './constants.ts'

/** Every field of a receipt except its signature: exactly the bytes that are signed. */
export interface UnsignedReceipt {
  version: typeof RECEIPT_VERSION
  /** Chosen by the submitter; 1–64 characters of [A-Za-z0-9_-]. */
  taskId: string
  /** Lowercase hex SHA-256 of the WebAssembly module bytes. */
  moduleHash: string
  /** Lowercase hex SHA-256 of the bytes given as stdin. */
  inputHash: string
  /** Lowercase hex SHA-256 of everything written to stdout. */
  outputHash: string
  /** Lowercase hex SHA-256 of everything written to stderr. */
  stderrHash: string
  /** argv[1..] as given to the module. */
  args: string[]
  exitCode: number
  /** Unix epoch milliseconds when the module started. */
  startedAt: number
  durationMs: number
  timeoutMs: number
  memoryLimitBytes: number
  /** PeerId (base58btc, `12D3KooW…`) of the peer that ran the task and signs the receipt. */
  executor: string
  /** PeerId of the peer that asked for the task. */
  submitter: string
  /** The executor's raw 32-byte Ed25519 public key, base64url without padding. */
  publicKey: string
}

export interface Receipt extends UnsignedReceipt {
  /** base64url (no padding) of the 64-byte Ed25519 signature over the canonical unsigned receipt. */
  signature: string
}

/** Fields a verifier may hold its own values for; each one given must equal the receipt's. */
export type ReceiptExpectations = Partial<Pick<UnsignedReceipt,
'taskId' | 'moduleHash' | 'inputHash' | 'outputHash' | 'stderrHash' | 'args' | 'exitCode' |
'timeoutMs' | 'memoryLimitBytes' | 'executor' | 'submitter'>>

/** Thrown when a value is not a well-formed version 1 receipt; `field` names the first offending field. */
export class InvalidReceiptError extends Error {
  override name = 'InvalidReceiptError'
  readonly field: string

  constructor (field: string, message: string) {
    super(`receipt field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a receipt's canonical form is longer than MAX_RECEIPT_BYTES. */
export class ReceiptTooLargeError extends Error {
  override name = 'ReceiptTooLargeError'
}

/** Thrown when a receipt's signature does not verify under its `publicKey`. */
export class ReceiptSignatureError extends Error {
  override name = 'ReceiptSignatureError'
}

/**
 * Thrown when a receipt's `publicKey` is not the key embedded in its
 * `executor` PeerId, or when asked to sign a receipt naming a key or executor
 * other than the signing identity.
 */
export class ReceiptKeyMismatchError extends Error {
  override name = 'ReceiptKeyMismatchError'
}

/** Thrown when an authentic receipt states something other than what the verifier expected; `field` names it. */
export class ReceiptMismatchError extends Error {
  override name = 'ReceiptMismatchError'
  readonly field: keyof ReceiptExpectations

  constructor (field: keyof ReceiptExpectations, expected: unknown, actual: unknown) {
    super(`receipt ${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`)
    this.field = field
  }
}

const UNSIGNED_FIELDS = [
  'version', 'taskId', 'moduleHash', 'inputHash', 'outputHash', 'stderrHash', 'args', 'exitCode',
  'startedAt', 'durationMs', 'timeoutMs', 'memoryLimitBytes', 'executor', 'submitter', 'publicKey'
] as const satisfies ReadonlyArray<keyof UnsignedReceipt>

const RECEIPT_FIELDS = [...UNSIGNED_FIELDS, 'signature'] as const satisfies ReadonlyArray<keyof Receipt>

const TASK_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_TASK_ID_LENGTH}}$`)

/**
 * Validates an unsigned receipt, or a signed one when `withSignature`, and
 * returns a copy holding only its fields. Each check names its field.
 */
function readFields (value: unknown, withSignature: boolean): Receipt | UnsignedReceipt {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidReceiptError('(root)', 'must be a JSON object')
  }
  const record = value as Record<string, unknown>
  const allowed: ReadonlyArray<string> = withSignature ? RECEIPT_FIELDS : UNSIGNED_FIELDS
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) throw new InvalidReceiptError(key, 'is not a field of a version 1 receipt')
  }
  for (const key of allowed) {
    if (!Object.hasOwn(record, key)) throw new InvalidReceiptError(key, 'is missing')
  }

  if (record.version !== RECEIPT_VERSION) throw new InvalidReceiptError('version', `must be ${RECEIPT_VERSION}`)
  const taskId = record.taskId
  if (typeof taskId !== 'string' || !TASK_ID.test(taskId)) {
    throw new InvalidReceiptError('taskId', `must be 1 to ${MAX_TASK_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  }
  const hash = (field: 'moduleHash' | 'inputHash' | 'outputHash' | 'stderrHash'): string => {
    const v = record[field]
    if (!isSha256Hex(v)) throw new InvalidReceiptError(field, 'must be 64 lowercase hex digits')
    return v
  }
  const integer = (field: 'exitCode' | 'startedAt' | 'durationMs' | 'timeoutMs' | 'memoryLimitBytes', min: number): number => {
    const v = record[field]
    // RFC 7493 §2.2: only integers in ±(2^53 − 1) survive every JSON parser intact.
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new InvalidReceiptError(field, 'must be an integer within ±(2^53 − 1)')
    if (v < min) throw new InvalidReceiptError(field, `must be at least ${min}`)
    // -0 would canonicalize as 0 but compare differently elsewhere; normalize it.
    return v === 0 ? 0 : v
  }
  const peerId = (field: 'executor' | 'submitter'): string => {
    const v = record[field]
    if (typeof v !== 'string' || !isCanonicalEd25519PeerId(v)) {
      throw new InvalidReceiptError(field, 'must be an Ed25519 PeerId in base58btc form (12D3KooW…)')
    }
    return v
  }
  const base64Url = (field: 'publicKey' | 'signature', length: number): string => {
    const v = record[field]
    let bytes: Uint8Array | undefined
    try {
      if (typeof v === 'string') bytes = base64UrlToBytes(v)
    } catch {
      // reported below together with the other malformed cases
    }
    if (typeof v !== 'string' || bytes?.length !== length) {
      throw new InvalidReceiptError(field, `must be ${length} bytes in unpadded base64url`)
    }
    return v
  }

  const args = record.args
  if (!Array.isArray(args)) throw new InvalidReceiptError('args', 'must be an array of strings')
  if (args.length > MAX_RECEIPT_ARGS) throw new InvalidReceiptError('args', `must have at most ${MAX_RECEIPT_ARGS} entries`)
  const argsCopy: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg: unknown = args[i]
    if (typeof arg !== 'string') throw new InvalidReceiptError(`args[${i}]`, 'must be a string')
    if (!isWellFormedString(arg)) throw new InvalidReceiptError(`args[${i}]`, 'must not contain a lone surrogate')
    if (utf8ToBytes(arg).length > MAX_RECEIPT_ARG_BYTES) {
      throw new InvalidReceiptError(`args[${i}]`, `must be at most ${MAX_RECEIPT_ARG_BYTES} bytes of UTF-8`)
    }
    argsCopy.push(arg)
  }

  const unsigned: UnsignedReceipt = {
    version: RECEIPT_VERSION,
    taskId,
    moduleHash: hash('moduleHash'),
    inputHash: hash('inputHash'),
    outputHash: hash('outputHash'),
    stderrHash: hash('stderrHash'),
    args: argsCopy,
    exitCode: integer('exitCode', Number.MIN_SAFE_INTEGER),
    startedAt: integer('startedAt', 0),
    durationMs: integer('durationMs', 0),
    timeoutMs: integer('timeoutMs', 0),
    memoryLimitBytes: integer('memoryLimitBytes', 0),
    executor: peerId('executor'),
    submitter: peerId('submitter'),
    publicKey: base64Url('publicKey', ED25519_PUBLIC_KEY_LENGTH)
  }
  if (!withSignature) return unsigned
  return { ...unsigned, signature: base64Url('signature', ED25519_SIGNATURE_LENGTH) }
}

// The only spelling of an Ed25519 PeerId this format accepts. The regex also bounds the
// length before any decoding is attempted.
const BASE58BTC_PEER_ID = /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/

/**
 * True for the base58btc string of an identity-multihash Ed25519 PeerId
 * (libp2p peer-ids spec): it must decode as one and re-encode to itself.
 */
function isCanonicalEd25519PeerId (value: string): boolean {
  if (!BASE58BTC_PEER_ID.test(value)) return false
  try {
    const peerId = peerIdFromString(value)
    return peerId.type === 'Ed25519' && peerId.toString() === value
  } catch {
    return false
  }
}

/** Checks `value` against the version 1 schema and returns a copy holding exactly the receipt's fields. */
export function parseReceipt (value: unknown): Receipt {
  const receipt = readFields(value, true) as Receipt
  const size = utf8ToBytes(canonicalize(receipt)).length
  if (size > MAX_RECEIPT_BYTES) throw new ReceiptTooLargeError(`receipt is ${size} bytes in canonical form, limit ${MAX_RECEIPT_BYTES}`)
  return receipt
}

/** The bytes that are signed: UTF-8 (RFC 8785 §3.2.4) of the canonical JSON of the unsigned fields. */
function signingBytes (receipt: UnsignedReceipt): Uint8Array {
  const unsigned: Record<string, unknown> = {}
  for (const field of UNSIGNED_FIELDS) unsigned[field] = receipt[field]
  return utf8ToBytes(canonicalize(unsigned))
}

/** Signs `unsigned` as its executor. Its `executor` and `publicKey` must be those of `identity`. */
export async function signReceipt (unsigned: UnsignedReceipt, identity: PeerIdentity): Promise<Receipt> {
  const checked = readFields(unsigned, false)
  if (checked.publicKey !== bytesToBase64Url(identity.publicKey)) {
    throw new ReceiptKeyMismatchError('receipt publicKey is not the signing identity\'s key')
  }
  if (checked.executor !== identity.peerId.toString()) {
    throw new ReceiptKeyMismatchError('receipt executor is not the signing identity\'s PeerId')
  }
  const signature = await identity.sign(signingBytes(checked))
  return parseReceipt({ ...checked, signature: bytesToBase64Url(signature) })
}

/**
 * Checks, in this order: the schema; that `publicKey` is the key inside
 * `executor`; the signature; then each expectation. Expectations come last so
 * that a ReceiptMismatchError always concerns a receipt the executor really
 * signed, which makes it evidence against that executor.
 */
export async function verifyReceipt (receipt: Receipt, expected: ReceiptExpectations = {}): Promise<void> {
  const checked = parseReceipt(receipt)
  const publicKey = base64UrlToBytes(checked.publicKey)
  if (!publicKeyMatchesPeerId(publicKey, checked.executor)) {
    throw new ReceiptKeyMismatchError(`receipt publicKey does not belong to executor ${checked.executor}`)
  }
  if (!ed25519Verify(base64UrlToBytes(checked.signature), signingBytes(checked), publicKey)) {
    throw new ReceiptSignatureError(`receipt signature does not verify for task ${checked.taskId}`)
  }
  for (const field of Object.keys(expected) as Array<keyof ReceiptExpectations>) {
    const want = expected[field]
    if (want === undefined) continue
    if (canonicalize(want) !== canonicalize(checked[field])) throw new ReceiptMismatchError(field, want, checked[field])
  }
}

/** Indented JSON with the fields in specification order, for export and display. Parse it back with JSON.parse + parseReceipt. */
export function receiptToJson (receipt: Receipt): string {
  return JSON.stringify(receipt, [...RECEIPT_FIELDS], 2)
}
