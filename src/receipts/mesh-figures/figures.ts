/**
 * Signed mesh figures, format version 1: "since `since`, peer `peerId` ran
 * these tasks for others and submitted these, and this was its `seq`-th
 * report of that run, at `at`". The counters are cumulative over the run (a
 * restart starts a new `since` and `seq` 0), so a lost message loses nothing
 * and a relay sums the newest of each peer (MeshFiguresBoard).
 *
 * JSON signed canonically, as every gossip document of the mesh is (Agent
 * Cards, reports, attestations): pure Ed25519 (RFC 8032 §5.1.6) over the
 * UTF-8 of the RFC 8785 canonical JSON of every field but `signature`, with
 * `publicKey` bound to `peerId`, through crypto/signed-document.ts. JSON, not
 * protobuf: the message is small, sent twice a minute at most, and read by
 * the relay's operator as often as by code; signing the canonical JSON keeps
 * one signing recipe for every document.
 *
 * Verified figures prove only who said them, never that they are true: a
 * peer can overstate its own work. They are for the operator's dashboards,
 * never for routing, pricing or reputation.
 *
 * @example
 * const figures = await signMeshFigures({ ...tally.counters(), peerId, publicKey, since, seq: 0, at: now, periodMs: 30_000 }, identity)
 * // …received on gossip…
 * verifyMeshFigures(JSON.parse(text), { now, from })
 */
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, fieldCheckers, parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument } from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { RECEIPT_STATUSES } from '../constants.ts'
import type { ReceiptStatus } from '../constants.ts'
import {
  MAX_MESH_FIGURES_AGE_MS, MAX_MESH_FIGURES_BYTES, MAX_MESH_FIGURES_CLOCK_SKEW_MS, MAX_MESH_FIGURES_PERIOD_MS, MESH_DURATION_BUCKETS_MS,
  MESH_FIGURES_VERSION, MIN_MESH_FIGURES_PERIOD_MS
} from './constants.ts'
import {
  InvalidMeshFiguresError, MeshFiguresKeyMismatchError, MeshFiguresNotYetValidError, MeshFiguresSenderMismatchError, MeshFiguresSignatureError,
  MeshFiguresStaleError, MeshFiguresTooLargeError
} from './errors.ts'

/** Tasks by the status of the receipt that ended them: every status, 0 where none. */
export type StatusCounts = Record<ReceiptStatus, number>

/** Run times of tasks, in the fixed buckets MESH_DURATION_BUCKETS_MS. */
export interface DurationCounts {
  /** Tasks per bucket, not cumulative: `counts[i]` ran longer than bucket i-1's bound and at most bucket i's; the last is above every bound. */
  counts: number[]
  /** Total run time, ms. */
  sumMs: number
}

/** What a peer counted since it started: the figures proper, without who and when. */
export interface MeshCounters {
  /** Tasks it ran for others and signed a receipt for, by the receipt's status. */
  executed: StatusCounts
  /** Fuel those tasks used, as their receipts state it (a timed-out task states none). */
  fuel: number
  /** Their run times (the receipts' `durationMs`). */
  durations: DurationCounts
  /** µ its receipts charged: what its submitters owe it. */
  earned: number
  /** Tasks it submitted. */
  submitted: number
  /** Of those, the ones that did not come back with a verified `ok` receipt (another status, an error, given up). */
  failed: number
  /** µ the receipts of its submitted tasks charged it. */
  spent: number
}

/** Every field of the figures except their signature: exactly what is signed. */
export interface UnsignedMeshFigures extends MeshCounters {
  version: typeof MESH_FIGURES_VERSION
  /** PeerId (base58btc) of the peer whose figures these are, which signs them. */
  peerId: string
  /** Its raw 32-byte Ed25519 public key, base64url without padding. */
  publicKey: string
  /** When its counting started (its process or tab started), Unix epoch ms: a new `since` is a restart. */
  since: number
  /** This report's number in the run, from 0; each report of a run has a larger one. */
  seq: number
  /** When the figures were read, Unix epoch ms. */
  at: number
  /** How often it publishes, ms (MIN_MESH_FIGURES_PERIOD_MS to MAX_MESH_FIGURES_PERIOD_MS). */
  periodMs: number
}

export interface MeshFigures extends UnsignedMeshFigures {
  /** base64url (no padding) of the 64-byte Ed25519 signature over the canonical unsigned figures. */
  signature: string
}

/** What signMeshFigures takes: the version is filled in. */
export type MeshFiguresFields = Omit<UnsignedMeshFigures, 'version'>

export interface VerifyMeshFiguresOptions {
  /** The verifier's clock, Unix epoch ms. */
  now: number
  /** The gossip message's author: it must be the figures' peer. */
  from?: string
}

const COUNTER_FIELDS = ['executed', 'fuel', 'durations', 'earned', 'submitted', 'failed', 'spent'] as const satisfies ReadonlyArray<keyof MeshCounters>
const UNSIGNED_FIELDS = [
  'version', 'peerId', 'publicKey', 'since', 'seq', 'at', 'periodMs', ...COUNTER_FIELDS
] as const satisfies ReadonlyArray<keyof UnsignedMeshFigures>
const FIELDS = [...UNSIGNED_FIELDS, 'signature'] as const

const check = fieldCheckers((field, message) => new InvalidMeshFiguresError(field, message), 'version 1 mesh figures')

const FORMAT = signedDocumentFormat<MeshFigures>({
  name: 'mesh figures',
  signedFields: UNSIGNED_FIELDS,
  signerField: 'peerId',
  maxBytes: MAX_MESH_FIGURES_BYTES,
  schema: readFigures,
  dateField: 'at',
  maxClockSkewMs: MAX_MESH_FIGURES_CLOCK_SKEW_MS,
  errors: {
    tooLarge: MeshFiguresTooLargeError,
    keyMismatch: MeshFiguresKeyMismatchError,
    signature: MeshFiguresSignatureError,
    sender: MeshFiguresSenderMismatchError,
    notYetValid: MeshFiguresNotYetValidError
  }
})

/** Counters at zero: a peer's figures before it did anything. */
export function zeroCounters (): MeshCounters {
  return {
    executed: Object.fromEntries(RECEIPT_STATUSES.map(status => [status, 0])) as StatusCounts,
    fuel: 0,
    durations: { counts: new Array<number>(MESH_DURATION_BUCKETS_MS.length + 1).fill(0), sumMs: 0 },
    earned: 0,
    submitted: 0,
    failed: 0,
    spent: 0
  }
}

/** Checks the size limit, then the schema; returns a copy holding exactly the figures' fields. Does not check the signature. */
export function parseMeshFigures (value: unknown): MeshFigures {
  return parseSignedDocument(value, FORMAT)
}

/** Signs figures as `identity`, which must be their `peerId` and own their `publicKey`. */
export async function signMeshFigures (fields: MeshFiguresFields, identity: PeerIdentity): Promise<MeshFigures> {
  const record = check.jsonObject(fields, 'figures')
  check.exactMembers(record, UNSIGNED_FIELDS.filter(field => field !== 'version'), '')
  return signDocument(readUnsigned({ ...record, version: MESH_FIGURES_VERSION }), identity, FORMAT)
}

/**
 * Checks, in this order: the size and schema; that they came from their peer
 * (`from`); that `publicKey` is the key inside `peerId`; the signature; that
 * `at` is not further ahead of `now` than the allowed skew, nor older than
 * MAX_MESH_FIGURES_AGE_MS (MeshFiguresStaleError). Returns the checked copy.
 */
export function verifyMeshFigures (value: unknown, { now, from }: VerifyMeshFiguresOptions): MeshFigures {
  const figures = verifyDocument(value, FORMAT, { now, ...(from === undefined ? {} : { from }) })
  if (figures.at < now - MAX_MESH_FIGURES_AGE_MS) throw new MeshFiguresStaleError(`mesh figures of ${figures.peerId} are dated ${figures.at}, older than ${MAX_MESH_FIGURES_AGE_MS} ms before ${now}`)
  return figures
}

function readFigures (value: unknown): MeshFigures {
  const record = check.jsonObject(value, 'figures')
  check.exactMembers(record, FIELDS, '')
  return { ...readUnsigned(record), signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

function readUnsigned (record: Record<string, unknown>): UnsignedMeshFigures {
  if (record.version !== MESH_FIGURES_VERSION) throw new InvalidMeshFiguresError('version', `must be ${MESH_FIGURES_VERSION}`)
  const peerId = check.peerId(record.peerId, 'peerId')
  const publicKey = check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  const since = check.safeInteger(record.since, 'since', 0)
  const seq = check.safeInteger(record.seq, 'seq', 0)
  const at = check.safeInteger(record.at, 'at', since)
  const periodMs = check.safeInteger(record.periodMs, 'periodMs', MIN_MESH_FIGURES_PERIOD_MS, MAX_MESH_FIGURES_PERIOD_MS)
  const executedRecord = check.jsonObject(record.executed, 'executed')
  check.exactMembers(executedRecord, RECEIPT_STATUSES, 'executed.')
  const executed = Object.fromEntries(RECEIPT_STATUSES.map(status => [status, check.safeInteger(executedRecord[status], `executed.${status}`, 0)])) as StatusCounts
  const durationsRecord = check.jsonObject(record.durations, 'durations')
  check.exactMembers(durationsRecord, ['counts', 'sumMs'], 'durations.')
  const counts = durationsRecord.counts
  if (!Array.isArray(counts) || counts.length !== MESH_DURATION_BUCKETS_MS.length + 1) {
    throw new InvalidMeshFiguresError('durations.counts', `must be an array of ${MESH_DURATION_BUCKETS_MS.length + 1} counts, one per bucket of MESH_DURATION_BUCKETS_MS and one above`)
  }
  const durations = {
    counts: counts.map((n, i) => check.safeInteger(n, `durations.counts[${i}]`, 0)),
    sumMs: check.safeInteger(durationsRecord.sumMs, 'durations.sumMs', 0)
  }
  // Every task run is timed once: the buckets hold exactly the tasks counted by status.
  const ran = RECEIPT_STATUSES.reduce((sum, status) => sum + executed[status], 0)
  if (durations.counts.reduce((sum, n) => sum + n, 0) !== ran) throw new InvalidMeshFiguresError('durations.counts', 'must add up to the tasks executed')
  const submitted = check.safeInteger(record.submitted, 'submitted', 0)
  const failed = check.safeInteger(record.failed, 'failed', 0, submitted)
  return {
    version: MESH_FIGURES_VERSION,
    peerId,
    publicKey,
    since,
    seq,
    at,
    periodMs,
    executed,
    fuel: check.safeInteger(record.fuel, 'fuel', 0),
    durations,
    earned: check.safeInteger(record.earned, 'earned', 0),
    submitted,
    failed,
    spent: check.safeInteger(record.spent, 'spent', 0)
  }
}

/** Whether every counter of `later` is at least the same counter of `earlier`: cumulative figures of one run never go down. */
export function countersGrew (earlier: MeshCounters, later: MeshCounters): boolean {
  return RECEIPT_STATUSES.every(status => later.executed[status] >= earlier.executed[status]) &&
    later.durations.counts.every((n, i) => n >= (earlier.durations.counts[i] ?? 0)) &&
    later.durations.sumMs >= earlier.durations.sumMs &&
    later.fuel >= earlier.fuel && later.earned >= earlier.earned && later.submitted >= earlier.submitted &&
    later.failed >= earlier.failed && later.spent >= earlier.spent
}

/** `a + sign·b`, counter by counter. */
export function addCounters (a: MeshCounters, b: MeshCounters, sign: 1 | -1 = 1): MeshCounters {
  return {
    executed: Object.fromEntries(RECEIPT_STATUSES.map(status => [status, a.executed[status] + sign * b.executed[status]])) as StatusCounts,
    fuel: a.fuel + sign * b.fuel,
    durations: { counts: a.durations.counts.map((n, i) => n + sign * (b.durations.counts[i] ?? 0)), sumMs: a.durations.sumMs + sign * b.durations.sumMs },
    earned: a.earned + sign * b.earned,
    submitted: a.submitted + sign * b.submitted,
    failed: a.failed + sign * b.failed,
    spent: a.spent + sign * b.spent
  }
}

/** Only the counters of `figures` (a copy). */
export function countersOf (figures: MeshCounters): MeshCounters {
  return addCounters(zeroCounters(), figures)
}
