/**
 * Bid requests: "`submitter` asks for sealed bids to run module `moduleHash`
 * as task `taskId` under `limits`, for at most `maxTotalPrice`, until
 * `deadline`". Signed exactly as receipts, Agent Cards and reputation reports
 * are — pure Ed25519 (RFC 8032 §5.1.6) over the UTF-8 of the RFC 8785
 * canonical JSON of every field except `signature`, with `publicKey` bound to
 * the `submitter` PeerId — through crypto/signed-document.ts.
 */
import { canonicalize, sha256Hex, utf8ToBytes } from '../../core/index.ts'
import {
  MAX_FUEL, MAX_MEMORY_LIMIT_BYTES, MAX_TIMEOUT_MS, MIN_MEMORY_LIMIT_BYTES, MIN_TIMEOUT_MS
} from '../../core/limits.ts'
import {
  ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, fieldCheckers, parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument
} from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { MAX_TASK_ID_LENGTH } from '../../receipts/index.ts'
import { BID_REQUEST_KIND, MAX_BID_REQUEST_BYTES } from './constants.ts'
import { BidDeadlinePassedError, BidKeyMismatchError, BidSignatureError, BidTooLargeError, InvalidBidRequestError } from './errors.ts'

/** The run limits a bidder prices: the same members as a receipt's `limits` (docs/receipt-format.md). */
export interface BidLimits {
  /** Wall-clock limit, MIN_TIMEOUT_MS to MAX_TIMEOUT_MS (core/limits.ts). */
  timeoutMs: number
  /** Linear memory cap, MIN_MEMORY_LIMIT_BYTES to MAX_MEMORY_LIMIT_BYTES. */
  memoryBytes: number
  /** Fuel budget, 0 to MAX_FUEL. */
  fuel: number
}

/** Every field of a bid request except its signature: exactly what is signed. */
export interface UnsignedBidRequest {
  kind: typeof BID_REQUEST_KIND
  /** Chosen by the submitter, fresh for each request; 1–64 characters of [A-Za-z0-9_-]. */
  requestId: string
  /** The task to be run, as in receipts: 1–64 characters of [A-Za-z0-9_-]. */
  taskId: string
  /** Lowercase hex SHA-256 of the WebAssembly module. */
  moduleHash: string
  limits: BidLimits
  /** The most the submitter will pay, in micro-units; no bid above it counts. */
  maxTotalPrice: number
  /** Unix epoch ms: bids must be signed and received strictly before it. */
  deadline: number
  /** PeerId (base58btc) of the submitter, who signs the request. */
  submitter: string
  /** The submitter's raw 32-byte Ed25519 public key, unpadded base64url. */
  publicKey: string
}

export interface BidRequest extends UnsignedBidRequest {
  /** Unpadded base64url of the 64-byte Ed25519 signature over the canonical unsigned request. */
  signature: string
}

/** What signBidRequest takes: the kind may be left out; it is filled in. */
export type BidRequestFields = Omit<UnsignedBidRequest, 'kind'> & { kind?: typeof BID_REQUEST_KIND }

/** The signed members, in the order docs/bids.md lists them. */
export const UNSIGNED_BID_REQUEST_FIELDS = [
  'kind', 'requestId', 'taskId', 'moduleHash', 'limits', 'maxTotalPrice', 'deadline', 'submitter', 'publicKey'
] as const satisfies ReadonlyArray<keyof UnsignedBidRequest>

const BID_REQUEST_FIELDS = [...UNSIGNED_BID_REQUEST_FIELDS, 'signature'] as const
const LIMITS_FIELDS = ['timeoutMs', 'memoryBytes', 'fuel'] as const satisfies ReadonlyArray<keyof BidLimits>

/** requestId and taskId: the receipt taskId alphabet and length (docs/receipt-format.md). */
export const BID_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_TASK_ID_LENGTH}}$`)

const check = fieldCheckers((field, message) => new InvalidBidRequestError(field, message), 'a version 1 bid request')

/** Not dated: a request is checked against its deadline instead (verifyBidRequest, verifyBid). */
const BID_REQUEST = signedDocumentFormat<BidRequest>({
  name: 'bid request',
  signedFields: UNSIGNED_BID_REQUEST_FIELDS,
  signerField: 'submitter',
  maxBytes: MAX_BID_REQUEST_BYTES,
  schema: readBidRequest,
  errors: { tooLarge: BidTooLargeError, keyMismatch: BidKeyMismatchError, signature: BidSignatureError }
})

/** Checks the size limit, then the schema; returns a copy holding exactly the request's fields. Does not check the signature. */
export function parseBidRequest (value: unknown): BidRequest {
  return parseSignedDocument(value, BID_REQUEST)
}

/** Signs a bid request as `identity`, which must be the `submitter` and own the `publicKey`. */
export async function signBidRequest (fields: BidRequestFields, identity: PeerIdentity): Promise<BidRequest> {
  const record = check.jsonObject(fields, 'request')
  check.exactMembers(record, UNSIGNED_BID_REQUEST_FIELDS, '', ['kind'])
  return signDocument(readUnsigned({ ...record, kind: record.kind ?? BID_REQUEST_KIND }), identity, BID_REQUEST)
}

/**
 * Checks, in this order: size and schema; that `publicKey` is the key inside
 * `submitter`; the signature. Returns the checked copy. No clock: awardBids
 * uses it after the deadline.
 */
export function authenticBidRequest (value: unknown): BidRequest {
  return verifyDocument(value, BID_REQUEST)
}

/**
 * What a bidder checks before it bids: authenticBidRequest, then that the
 * deadline is still ahead of its clock `now` (a bid it signed now would be
 * refused anyway). Returns the checked copy.
 */
export function verifyBidRequest (value: unknown, now: number): BidRequest {
  if (!Number.isFinite(now)) throw new RangeError('now must be a finite number of milliseconds')
  const checked = authenticBidRequest(value)
  if (now >= checked.deadline) throw new BidDeadlinePassedError(`bid request ${checked.requestId} closed at ${checked.deadline}; it is ${now}`)
  return checked
}

/**
 * Lowercase hex SHA-256 of the UTF-8 RFC 8785 canonical JSON of the whole
 * signed request, signature included; a bid carries it, which ties the bid to
 * exactly this request (not merely to its requestId, which a submitter could reuse).
 */
export function bidRequestHash (request: BidRequest): string {
  return sha256Hex(utf8ToBytes(canonicalize(parseBidRequest(request))))
}

function readBidRequest (value: unknown): BidRequest {
  const record = check.jsonObject(value, 'request')
  check.exactMembers(record, BID_REQUEST_FIELDS, '')
  return { ...readUnsigned(record), signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

function readUnsigned (record: Record<string, unknown>): UnsignedBidRequest {
  if (record.kind !== BID_REQUEST_KIND) throw new InvalidBidRequestError('kind', `must be ${BID_REQUEST_KIND}`)
  return {
    kind: BID_REQUEST_KIND,
    requestId: readId(record.requestId, 'requestId'),
    taskId: readId(record.taskId, 'taskId'),
    moduleHash: check.hex256(record.moduleHash, 'moduleHash'),
    limits: readLimits(record.limits),
    maxTotalPrice: check.safeInteger(record.maxTotalPrice, 'maxTotalPrice', 0),
    deadline: check.safeInteger(record.deadline, 'deadline', 0),
    submitter: check.peerId(record.submitter, 'submitter'),
    publicKey: check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  }
}

function readId (value: unknown, field: string): string {
  if (typeof value !== 'string' || !BID_ID.test(value)) {
    throw new InvalidBidRequestError(field, `must be 1 to ${MAX_TASK_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  }
  return value
}

function readLimits (value: unknown): BidLimits {
  const record = check.jsonObject(value, 'limits')
  check.exactMembers(record, LIMITS_FIELDS, 'limits.')
  return {
    timeoutMs: check.safeInteger(record.timeoutMs, 'limits.timeoutMs', MIN_TIMEOUT_MS, MAX_TIMEOUT_MS),
    memoryBytes: check.safeInteger(record.memoryBytes, 'limits.memoryBytes', MIN_MEMORY_LIMIT_BYTES, MAX_MEMORY_LIMIT_BYTES),
    fuel: check.safeInteger(record.fuel, 'limits.fuel', 0, MAX_FUEL)
  }
}
