/**
 * Witness attestations, format version 1: "`witness` re-ran the task of the
 * receipt `receiptHash` (executed by `executor` for `submitter`) from the
 * receipt's own module, input, args, env, seed and limits, and saw
 * `observed`; that `verdict`s the executor's claim". Signed as receipts and
 * reputation reports are — pure Ed25519 (RFC 8032 §5.1.6) over the UTF-8 of
 * the RFC 8785 canonical JSON of every field except `signature`, the key
 * bound to the `witness` PeerId — through crypto/signed-document.ts.
 *
 * The sandbox is deterministic (virtual clock and random from the seed, fuel
 * counted per instruction), so an honest re-run reproduces status, exit code,
 * stdout, stderr, output files and fuel exactly; only a timeout depends on
 * the machine, and receipts with that status are not attested.
 *
 * @example
 * const observed = observedRun(result)
 * const attestation = await signAttestation({ ...about(receipt), observed, verdict: verdictOf(receipt, observed), witness, publicKey, at: now }, identity)
 * await verifyAttestation(parseAttestation(JSON.parse(text)), { now, from })
 */
import { fieldCheckers, parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument } from '../../crypto/index.ts'
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH } from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { MAX_TASK_ID_LENGTH, RECEIPT_STATUSES } from '../constants.ts'
import type { ReceiptStatus } from '../constants.ts'
import { sha256Hex } from '../../core/index.ts'
import { filesHash } from '../files-hash.ts'
import { receiptHash } from '../receipt.ts'
import type { Receipt } from '../types.ts'
import { ATTESTATION_VERSION, MAX_ATTESTATION_BYTES, MAX_ATTESTATION_CLOCK_SKEW_MS } from './constants.ts'
import {
  AttestationKeyMismatchError, AttestationNotYetValidError, AttestationSignatureError, AttestationTooLargeError, InvalidAttestationError
} from './errors.ts'

/** What a run produced, in the receipt's terms: the fields a deterministic re-run must reproduce. */
export interface ObservedRun {
  status: ReceiptStatus
  exitCode: number | null
  outputHash: string
  stderrHash: string
  outputFilesHash: string
  fuelUsed: number | null
}

export type Verdict = 'agree' | 'disagree'

export interface UnsignedAttestation {
  version: typeof ATTESTATION_VERSION
  taskId: string
  /** receiptHash() of the attested receipt, signature included. */
  receiptHash: string
  executor: string
  submitter: string
  /** PeerId of the peer that re-ran the task and signs this. */
  witness: string
  /** The witness's raw 32-byte Ed25519 public key, base64url without padding. */
  publicKey: string
  verdict: Verdict
  observed: ObservedRun
  /** Unix epoch milliseconds when the witness signed. */
  at: number
}

export interface Attestation extends UnsignedAttestation {
  signature: string
}

export type AttestationFields = Omit<UnsignedAttestation, 'version'>

export interface VerifyAttestationOptions {
  now: number
  /** The gossip message's author, when it came from gossip: it must be the witness. */
  from?: string
}

/** The members of ObservedRun, which are also the receipt members a re-run is compared on, in that order. */
export const OBSERVED_FIELDS = ['status', 'exitCode', 'outputHash', 'stderrHash', 'outputFilesHash', 'fuelUsed'] as const satisfies ReadonlyArray<keyof ObservedRun>

const UNSIGNED_FIELDS = [
  'version', 'taskId', 'receiptHash', 'executor', 'submitter', 'witness', 'publicKey', 'verdict', 'observed', 'at'
] as const satisfies ReadonlyArray<keyof UnsignedAttestation>
const FIELDS = [...UNSIGNED_FIELDS, 'signature'] as const
const TASK_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_TASK_ID_LENGTH}}$`)

const check = fieldCheckers((field, message) => new InvalidAttestationError(field, message), 'a version 1 attestation')

const ATTESTATION = signedDocumentFormat<Attestation>({
  name: 'attestation',
  signedFields: UNSIGNED_FIELDS,
  signerField: 'witness',
  maxBytes: MAX_ATTESTATION_BYTES,
  schema: readAttestation,
  dateField: 'at',
  maxClockSkewMs: MAX_ATTESTATION_CLOCK_SKEW_MS,
  errors: {
    tooLarge: AttestationTooLargeError, keyMismatch: AttestationKeyMismatchError, signature: AttestationSignatureError,
    sender: AttestationKeyMismatchError, notYetValid: AttestationNotYetValidError
  }
})

/** What a sandbox run produced, as the receipt of that run would state it. */
export interface RunOutput {
  status: ReceiptStatus
  exitCode: number
  stdout: Uint8Array
  stderr: Uint8Array
  files: ReadonlyArray<readonly [string, Uint8Array]>
  fuelUsed: number | null
}

/** The deterministic fields of a run, hashed as an executor's receipt hashes them (exit code only when the module ended itself). */
export function observedRun (run: RunOutput): ObservedRun {
  const ran = run.status === 'ok' || run.status === 'exit'
  return {
    status: run.status,
    exitCode: ran ? run.exitCode : null,
    outputHash: sha256Hex(run.stdout),
    stderrHash: sha256Hex(run.stderr),
    outputFilesHash: filesHash(run.files),
    fuelUsed: run.fuelUsed
  }
}

/** The receipt members a re-run must reproduce, taken from the receipt. */
export function claimedRun (receipt: Receipt): ObservedRun {
  const { status, exitCode, outputHash, stderrHash, outputFilesHash, fuelUsed } = receipt
  return { status, exitCode, outputHash, stderrHash, outputFilesHash, fuelUsed }
}

/** The fields in which `observed` differs from what `receipt` claims; empty when the re-run agrees. */
export function differences (receipt: Receipt, observed: ObservedRun): Array<keyof ObservedRun> {
  const claimed = claimedRun(receipt)
  return OBSERVED_FIELDS.filter(field => claimed[field] !== observed[field])
}

/** 'agree' exactly when the re-run reproduced every deterministic field of the receipt. */
export function verdictOf (receipt: Receipt, observed: ObservedRun): Verdict {
  return differences(receipt, observed).length === 0 ? 'agree' : 'disagree'
}

/** The attestation's reference to a receipt. */
export function aboutReceipt (receipt: Receipt): Pick<UnsignedAttestation, 'taskId' | 'receiptHash' | 'executor' | 'submitter'> {
  return { taskId: receipt.taskId, receiptHash: receiptHash(receipt), executor: receipt.executor, submitter: receipt.submitter }
}

/** Checks the size limit, then the schema; returns a copy holding exactly the attestation's fields. Does not check the signature. */
export function parseAttestation (value: unknown): Attestation {
  return parseSignedDocument(value, ATTESTATION)
}

/** Signs as `identity`, which must be the `witness` and own the `publicKey`. */
export async function signAttestation (fields: AttestationFields, identity: PeerIdentity): Promise<Attestation> {
  return signDocument(readUnsigned({ ...check.jsonObject(fields, 'attestation'), version: ATTESTATION_VERSION }), identity, ATTESTATION)
}

/**
 * Checks, in this order: size and schema; that it came from its witness
 * (`from`); that `publicKey` is the key inside `witness`; the signature; that
 * `at` is not ahead of `now` by more than the allowed skew.
 */
export async function verifyAttestation (value: unknown, { now, from }: VerifyAttestationOptions): Promise<Attestation> {
  return verifyDocument(value, ATTESTATION, { now, from })
}

function readAttestation (value: unknown): Attestation {
  const record = check.jsonObject(value, 'attestation')
  check.exactMembers(record, FIELDS, '')
  return { ...readUnsigned(record), signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

function readUnsigned (record: Record<string, unknown>): UnsignedAttestation {
  if (record.version !== ATTESTATION_VERSION) throw new InvalidAttestationError('version', `must be ${ATTESTATION_VERSION}`)
  const taskId = record.taskId
  if (typeof taskId !== 'string' || !TASK_ID.test(taskId)) {
    throw new InvalidAttestationError('taskId', `must be 1 to ${MAX_TASK_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  }
  const executor = check.peerId(record.executor, 'executor')
  const witness = check.peerId(record.witness, 'witness')
  if (witness === executor) throw new InvalidAttestationError('witness', 'must not be the executor')
  const verdict = record.verdict
  if (verdict !== 'agree' && verdict !== 'disagree') throw new InvalidAttestationError('verdict', 'must be agree or disagree')
  return {
    version: ATTESTATION_VERSION,
    taskId,
    receiptHash: check.hex256(record.receiptHash, 'receiptHash'),
    executor,
    submitter: check.peerId(record.submitter, 'submitter'),
    witness,
    publicKey: check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH),
    verdict,
    observed: readObserved(record.observed),
    at: check.safeInteger(record.at, 'at', 0)
  }
}

function readObserved (value: unknown): ObservedRun {
  const record = check.jsonObject(value, 'observed')
  check.exactMembers(record, OBSERVED_FIELDS, 'observed.')
  const status = record.status
  if (!(RECEIPT_STATUSES as readonly unknown[]).includes(status)) throw new InvalidAttestationError('observed.status', `must be one of ${RECEIPT_STATUSES.join(', ')}`)
  const nullable = (field: 'exitCode' | 'fuelUsed', min: number): number | null =>
    record[field] === null ? null : check.safeInteger(record[field], `observed.${field}`, min)
  return {
    status: status as ReceiptStatus,
    exitCode: nullable('exitCode', Number.MIN_SAFE_INTEGER),
    outputHash: check.hex256(record.outputHash, 'observed.outputHash'),
    stderrHash: check.hex256(record.stderrHash, 'observed.stderrHash'),
    outputFilesHash: check.hex256(record.outputFilesHash, 'observed.outputFilesHash'),
    fuelUsed: nullable('fuelUsed', 0)
  }
}
