/**
 * Bids: "`bidder` will run the task of request `requestHash` for at most
 * `price` micro-units and expects it to take `expectedMs`; signed at `at`".
 * Signed as bid requests are (request.ts, through crypto/signed-document.ts),
 * with `publicKey` bound to the `bidder` PeerId. A bid goes to the submitter
 * alone, over a direct stream, so no bidder sees another's: the bids are
 * sealed (Vickrey 1961).
 */
import {
  ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, fieldCheckers, parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument
} from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { MAX_TASK_ID_LENGTH } from '../../receipts/index.ts'
import { BID_KIND, MAX_BID_BYTES } from './constants.ts'
import {
  BidAboveBudgetError, BidDeadlinePassedError, BidKeyMismatchError, BidRequestMismatchError, BidSignatureError,
  BidTooLargeError, InvalidBidError
} from './errors.ts'
import { BID_ID, authenticBidRequest, bidRequestHash } from './request.ts'
import type { BidRequest } from './request.ts'

/** Every field of a bid except its signature: exactly what is signed. */
export interface UnsignedBid {
  kind: typeof BID_KIND
  /** The request's requestId. */
  requestId: string
  /** bidRequestHash of the signed request: the bid counts for that request and no other. */
  requestHash: string
  /** PeerId (base58btc) of the bidder, who signs the bid; never the request's submitter. */
  bidder: string
  /** The total the bidder will charge at most, in micro-units; ≤ the request's maxTotalPrice. */
  price: number
  /** The bidder's estimate of the run time, ms, ≥ 1. */
  expectedMs: number
  /** Unix epoch ms when the bid was signed; before the request's deadline. */
  at: number
  /** The bidder's raw 32-byte Ed25519 public key, unpadded base64url. */
  publicKey: string
}

export interface Bid extends UnsignedBid {
  /** Unpadded base64url of the 64-byte Ed25519 signature over the canonical unsigned bid. */
  signature: string
}

/** What signBid takes: the kind may be left out; it is filled in. */
export type BidFields = Omit<UnsignedBid, 'kind'> & { kind?: typeof BID_KIND }

/** The signed members, in the order docs/bids.md lists them. */
export const UNSIGNED_BID_FIELDS = [
  'kind', 'requestId', 'requestHash', 'bidder', 'price', 'expectedMs', 'at', 'publicKey'
] as const satisfies ReadonlyArray<keyof UnsignedBid>

const BID_FIELDS = [...UNSIGNED_BID_FIELDS, 'signature'] as const

const check = fieldCheckers((field, message) => new InvalidBidError(field, message), 'a version 1 bid')

/** Not dated against a clock: a bid is checked against its request's deadline instead (checkBidFor, verifyBid). */
const BID = signedDocumentFormat<Bid>({
  name: 'bid',
  signedFields: UNSIGNED_BID_FIELDS,
  signerField: 'bidder',
  maxBytes: MAX_BID_BYTES,
  schema: readBid,
  errors: { tooLarge: BidTooLargeError, keyMismatch: BidKeyMismatchError, signature: BidSignatureError }
})

/** Checks the size limit, then the schema; returns a copy holding exactly the bid's fields. Does not check the signature. */
export function parseBid (value: unknown): Bid {
  return parseSignedDocument(value, BID)
}

/** Signs a bid as `identity`, which must be the `bidder` and own the `publicKey`. */
export async function signBid (fields: BidFields, identity: PeerIdentity): Promise<Bid> {
  const record = check.jsonObject(fields, 'bid')
  check.exactMembers(record, UNSIGNED_BID_FIELDS, '', ['kind'])
  return signDocument(readUnsigned({ ...record, kind: record.kind ?? BID_KIND }), identity, BID)
}

/**
 * Every check verifyBid makes except the one on `receivedAt`, against a
 * request already authenticated and hashed: size and schema; the bidder is not
 * the submitter; `publicKey` is the bidder's; the signature; the request
 * (requestId, requestHash); `at` before the deadline; price within budget.
 */
export function checkBidFor (value: unknown, request: BidRequest, requestHash: string): Bid {
  // The bidder before the signature: a bid by the submitter itself is malformed, whoever signed it.
  const parsed = parseBid(value)
  if (parsed.bidder === request.submitter) throw new InvalidBidError('bidder', 'must not be the request\'s submitter')
  const bid = verifyDocument(parsed, BID)
  if (bid.requestId !== request.requestId || bid.requestHash !== requestHash) {
    throw new BidRequestMismatchError(`bid of ${bid.bidder} is for request ${bid.requestId} (${bid.requestHash}), not ${request.requestId} (${requestHash})`)
  }
  if (bid.at >= request.deadline) throw new BidDeadlinePassedError(`bid of ${bid.bidder} was signed at ${bid.at}, request ${request.requestId} closed at ${request.deadline}`)
  if (bid.price > request.maxTotalPrice) {
    throw new BidAboveBudgetError(`bid of ${bid.bidder} asks ${bid.price}, request ${request.requestId} pays at most ${request.maxTotalPrice}`)
  }
  return bid
}

/**
 * What the submitter checks on each bid it receives: that `request` is its
 * own authentic request, then checkBidFor, then that the bid arrived
 * (`receivedAt`, the submitter's clock) strictly before the deadline — a late
 * bid was made with more time to learn than the others had. Returns the checked copy.
 */
export function verifyBid (value: unknown, request: BidRequest, receivedAt: number): Bid {
  if (!Number.isFinite(receivedAt)) throw new RangeError('receivedAt must be a finite number of milliseconds')
  const checkedRequest = authenticBidRequest(request)
  const bid = checkBidFor(value, checkedRequest, bidRequestHash(checkedRequest))
  if (receivedAt >= checkedRequest.deadline) {
    throw new BidDeadlinePassedError(`bid of ${bid.bidder} arrived at ${receivedAt}, request ${checkedRequest.requestId} closed at ${checkedRequest.deadline}`)
  }
  return bid
}

function readBid (value: unknown): Bid {
  const record = check.jsonObject(value, 'bid')
  check.exactMembers(record, BID_FIELDS, '')
  return { ...readUnsigned(record), signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

function readUnsigned (record: Record<string, unknown>): UnsignedBid {
  if (record.kind !== BID_KIND) throw new InvalidBidError('kind', `must be ${BID_KIND}`)
  const requestId = record.requestId
  if (typeof requestId !== 'string' || !BID_ID.test(requestId)) {
    throw new InvalidBidError('requestId', `must be 1 to ${MAX_TASK_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  }
  return {
    kind: BID_KIND,
    requestId,
    requestHash: check.hex256(record.requestHash, 'requestHash'),
    bidder: check.peerId(record.bidder, 'bidder'),
    price: check.safeInteger(record.price, 'price', 0),
    expectedMs: check.safeInteger(record.expectedMs, 'expectedMs', 1),
    at: check.safeInteger(record.at, 'at', 0),
    publicKey: check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  }
}
