/**
 * Signed documents: the one wrapper around the signed-JSON primitives
 * (signed-json.ts) that every signed JSON format uses — Agent Cards,
 * receipts, witness attestations, reputation reports, bids and bid requests.
 * A format states once what it is (its fields, its signer fields, its size
 * limit, its clock, its schema and its error classes); signing and verifying
 * then run the same steps, in the same order, for all of them:
 *
 * - signing: the signer fields must be the identity's; the signed bytes are
 *   the UTF-8 (RFC 8785 §3.2.4) of the RFC 8785 canonical JSON of every field
 *   but `signature`; the signature is pure Ed25519 (RFC 8032 §5.1.6),
 *   unpadded base64url; the signed document goes through the parser, so a
 *   document no peer could accept is never sent.
 * - verifying: size limit, then schema; the sender (a gossip message's
 *   author) is the signer; the key is the one inside the signer's PeerId;
 *   the signature; the format's own checks; the clock (not dated further
 *   ahead of the verifier's clock than the allowed skew).
 *
 * Each check throws the format's own error class, so every format keeps its
 * error names; the messages are the same for all formats, with the format's name.
 *
 * @example
 * const REPORT = signedDocumentFormat<Report>({
 *   name: 'report', signedFields: UNSIGNED_REPORT_FIELDS, signerField: 'reporter', maxBytes: MAX_REPORT_BYTES, schema: readReport,
 *   dateField: 'at', maxClockSkewMs: MAX_REPORT_CLOCK_SKEW_MS,
 *   errors: { tooLarge: ReportTooLargeError, keyMismatch: ReportKeyMismatchError, signature: ReportSignatureError, sender: ReportKeyMismatchError, notYetValid: ReportNotYetValidError }
 * })
 * const report = await signDocument(unsigned, identity, REPORT)
 * const checked = verifyDocument(JSON.parse(text), REPORT, { now: Date.now(), from })
 */
import type { PeerIdentity } from './identity.ts'
import { canonicalSigningBytes, canonicalSize, peerSignatureFault, peerSignatureFaultAsync, signCanonicalBytes, signerMismatch } from './signed-json.ts'
import type { PeerSignatureClaim, PeerSignatureFault } from './signed-json.ts'

/** An error class of a format: built from a message alone. */
export type DocumentErrorClass = new (message: string) => Error

/** The names of the members of `T` whose values are of type `V`. */
type FieldsOf<T, V> = { [K in keyof T]-?: T[K] extends V ? K : never }[keyof T] & string

/** The error classes a format throws, one per failed check. */
export interface SignedDocumentErrors {
  /** The canonical form is longer than `maxBytes`. */
  tooLarge: DocumentErrorClass
  /** Asked to sign as someone other than the signer fields name; or the key is not the one inside the signer's PeerId. */
  keyMismatch: DocumentErrorClass
  /** The signature does not verify. */
  signature: DocumentErrorClass
  /** The sender is not the signer. Required to verify with `from`. */
  sender?: DocumentErrorClass
  /** Dated further ahead of the verifier's clock than `maxClockSkewMs`. Required with `dateField`. */
  notYetValid?: DocumentErrorClass
}

/** What a signed JSON format is: given once to signedDocumentFormat, which checks it. */
export interface SignedDocumentSpec<T extends { signature: string }> {
  /** The format's name in error messages: `'report'`, `'agent card'`. */
  name: string
  /** Every field but `signature`: exactly what is signed (RFC 8785 sorts the members, so this order is free). */
  signedFields: ReadonlyArray<Exclude<keyof T, 'signature'> & string>
  /** The field holding the signer's PeerId (`peerId`, `executor`, `reporter`…). */
  signerField: FieldsOf<T, string>
  /** The field holding the signer's raw 32-byte Ed25519 public key, unpadded base64url; `publicKey` unless given. */
  keyField?: FieldsOf<T, string>
  /** The largest canonical form accepted, in bytes of UTF-8. */
  maxBytes: number
  /**
   * The format's schema: returns a copy holding exactly the document's
   * fields, or throws the format's own error. Runs after the size check, so
   * its work is bounded. It must check that the key and the signature are
   * unpadded base64url of 32 and 64 bytes, and the signer a PeerId string.
   */
  schema: (value: unknown) => T
  /** The field dating the document, Unix epoch milliseconds; checked against the verifier's clock. */
  dateField?: FieldsOf<T, number>
  /** How far ahead of the verifier's clock `dateField` may be. Required with `dateField`. */
  maxClockSkewMs?: number
  errors: SignedDocumentErrors
}

declare const checkedFormat: unique symbol

/** A format checked by signedDocumentFormat: the only kind signDocument and verifyDocument take. */
export type SignedDocumentFormat<T extends { signature: string }> = Readonly<SignedDocumentSpec<T>> & {
  readonly keyField: FieldsOf<T, string>
  readonly [checkedFormat]: true
}

/** What verifyDocument is told about the moment and the channel of a document. */
export interface VerifyDocumentOptions {
  /** The verifier's clock, Unix epoch milliseconds. Required when the format has a `dateField`. */
  now?: number
  /** The gossip message's author (its PeerId string), when the document came from gossip: it must be the signer. */
  from?: string
}

/**
 * Checks `spec` once, where it is written, and returns it frozen: the fields
 * named are signed fields, `signature` is not one of them, the limits are
 * safe integers, and the clock comes with its error.
 */
export function signedDocumentFormat<T extends { signature: string }> (spec: SignedDocumentSpec<T>): SignedDocumentFormat<T> {
  const { name, signedFields, signerField, keyField = 'publicKey', maxBytes, schema, dateField, maxClockSkewMs, errors } = spec
  if (typeof name !== 'string' || name === '') throw new TypeError('name must be a non-empty string')
  if (!Array.isArray(signedFields) || !signedFields.every(field => typeof field === 'string')) throw new TypeError(`${name}: signedFields must be an array of strings`)
  if (new Set(signedFields).size !== signedFields.length) throw new TypeError(`${name}: signedFields must not repeat a field`)
  if ((signedFields as readonly string[]).includes('signature')) throw new TypeError(`${name}: signature is not a signed field`)
  for (const field of [signerField, keyField, ...(dateField === undefined ? [] : [dateField])]) {
    if (!(signedFields as readonly string[]).includes(field)) throw new TypeError(`${name}: ${String(field)} must be one of signedFields`)
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new RangeError(`${name}: maxBytes must be a positive safe integer`)
  if (typeof schema !== 'function') throw new TypeError(`${name}: schema must be a function`)
  if (typeof errors !== 'object' || errors === null) throw new TypeError(`${name}: errors must be an object`)
  for (const kind of ['tooLarge', 'keyMismatch', 'signature'] as const) {
    if (typeof errors[kind] !== 'function') throw new TypeError(`${name}: errors.${kind} must be an error class`)
  }
  if (errors.sender !== undefined && typeof errors.sender !== 'function') throw new TypeError(`${name}: errors.sender must be an error class`)
  const clock = [dateField, maxClockSkewMs, errors.notYetValid].filter(part => part !== undefined).length
  if (clock !== 0 && clock !== 3) throw new TypeError(`${name}: dateField, maxClockSkewMs and errors.notYetValid come together`)
  if (clock === 3) {
    if (!Number.isSafeInteger(maxClockSkewMs) || maxClockSkewMs! < 0) throw new RangeError(`${name}: maxClockSkewMs must be a safe integer ≥ 0`)
    if (typeof errors.notYetValid !== 'function') throw new TypeError(`${name}: errors.notYetValid must be an error class`)
  }
  return Object.freeze({
    ...spec,
    keyField,
    signedFields: Object.freeze([...signedFields]),
    errors: Object.freeze({ ...errors })
  }) as SignedDocumentFormat<T>
}

/** Checks the size limit, then the format's schema; returns the schema's copy. Does not check the signature. */
export function parseSignedDocument<T extends { signature: string }> (value: unknown, format: SignedDocumentFormat<T>): T {
  // Size first: bounded work before the schema walks arrays and strings.
  const size = canonicalSize(value)
  if (size !== undefined && size > format.maxBytes) {
    throw fault(format.errors.tooLarge, `${format.name} is ${size} bytes in canonical form, limit ${format.maxBytes}`)
  }
  return format.schema(value)
}

/**
 * Signs `unsigned` (every field but `signature`) as `identity`, which must
 * be the one its signer fields name, and returns the document as the
 * format's parser reads it — so a document no peer could accept (too large)
 * is never sent.
 */
export async function signDocument<T extends { signature: string }> (
  unsigned: NoInfer<Omit<T, 'signature'>>, identity: PeerIdentity, format: SignedDocumentFormat<T>
): Promise<T> {
  if (typeof unsigned !== 'object' || unsigned === null) throw new TypeError(`${format.name} to sign must be an object`)
  const { name, signerField, keyField } = format
  const fields = unsigned as Record<string, unknown>
  // Before signing: a peer never signs a document that names another signer.
  switch (signerMismatch(identity, { publicKey: fields[keyField] as string, peerId: fields[signerField] as string })) {
    case 'publicKey': throw fault(format.errors.keyMismatch, `${name} ${keyField} is not the signing identity's key`)
    case 'peerId': throw fault(format.errors.keyMismatch, `${name} ${signerField} is not the signing identity's PeerId`)
  }
  // Pure Ed25519 (RFC 8032 §5.1.6) over the UTF-8 of the RFC 8785 canonical JSON of the signed fields.
  const signature = await signCanonicalBytes(canonicalSigningBytes(fields, format.signedFields), identity)
  return parseSignedDocument({ ...unsigned, signature }, format)
}

/**
 * Checks, in this order: that `now` is finite (when the format is dated, or
 * when given); the size limit and the schema; that the document came from
 * its signer (`from`, when given); that its key is the one inside the
 * signer's PeerId; the signature; the format's own `check`, which thus only
 * ever sees a document its signer really signed; that the document is not
 * dated further ahead of `now` than the allowed skew. Returns what `check`
 * returns, or else the checked copy.
 */
export function verifyDocument<T extends { signature: string }, R> (
  value: unknown, format: SignedDocumentFormat<T>, options: VerifyDocumentOptions & { check: (document: T) => R }
): R
export function verifyDocument<T extends { signature: string }> (value: unknown, format: SignedDocumentFormat<T>, options?: VerifyDocumentOptions): T
export function verifyDocument<T extends { signature: string }, R> (
  value: unknown, format: SignedDocumentFormat<T>, options: VerifyDocumentOptions & { check?: (document: T) => R } = {}
): T | R {
  const checking = beforeSignature(value, format, options)
  return afterSignature(checking, peerSignatureFault(checking.bytes, checking.claim), options)
}

/**
 * verifyDocument, with the signature checked by ed25519VerifyAsync (WebCrypto
 * where the platform has Ed25519): the same checks in the same order, the
 * same answer, and the main thread free while the platform verifies. For the
 * hot paths (a task's receipt).
 */
export async function verifyDocumentAsync<T extends { signature: string }, R> (
  value: unknown, format: SignedDocumentFormat<T>, options: VerifyDocumentOptions & { check: (document: T) => R }
): Promise<R>
export async function verifyDocumentAsync<T extends { signature: string }> (value: unknown, format: SignedDocumentFormat<T>, options?: VerifyDocumentOptions): Promise<T>
export async function verifyDocumentAsync<T extends { signature: string }, R> (
  value: unknown, format: SignedDocumentFormat<T>, options: VerifyDocumentOptions & { check?: (document: T) => R } = {}
): Promise<T | R> {
  const checking = beforeSignature(value, format, options)
  return afterSignature(checking, await peerSignatureFaultAsync(checking.bytes, checking.claim), options)
}

/** A document checked up to its signature: the checked copy, the signed bytes and who claims to have signed them. */
interface CheckedToSignature<T extends { signature: string }> {
  format: SignedDocumentFormat<T>
  document: T
  bytes: Uint8Array
  claim: PeerSignatureClaim
}

function beforeSignature<T extends { signature: string }> (value: unknown, format: SignedDocumentFormat<T>, options: VerifyDocumentOptions & { check?: unknown }): CheckedToSignature<T> {
  const { now, from, check } = options
  const { name, signerField, keyField, dateField, errors } = format
  if ((dateField !== undefined || now !== undefined) && !Number.isFinite(now)) throw new RangeError('now must be a finite number of milliseconds')
  if (from !== undefined && errors.sender === undefined) throw new TypeError(`${name}: no sender check (errors.sender) to check from against`)
  if (check !== undefined && typeof check !== 'function') throw new TypeError('check must be a function')

  const document = parseSignedDocument(value, format)
  const fields = document as Record<string, unknown>
  const signer = fields[signerField] as string
  if (from !== undefined && from !== signer) throw fault(errors.sender, `${name} by ${signer} was sent by ${from}`)
  // The signed bytes: UTF-8 (RFC 8785 §3.2.4) of the canonical JSON of every field but `signature`.
  const bytes = canonicalSigningBytes(fields, format.signedFields)
  return { format, document, bytes, claim: { publicKey: fields[keyField] as string, peerId: signer, signature: document.signature } }
}

function afterSignature<T extends { signature: string }, R> (
  checking: CheckedToSignature<T>, signatureFault: PeerSignatureFault | undefined, options: VerifyDocumentOptions & { check?: (document: T) => R }
): T | R {
  const { format, document, claim } = checking
  const { name, keyField, dateField, errors } = format
  switch (signatureFault) {
    case 'key-not-peer': throw fault(errors.keyMismatch, `${name} ${keyField} does not belong to ${claim.peerId}`)
    case 'bad-signature': throw fault(errors.signature, `${name} signature does not verify for ${claim.peerId}`)
  }
  const result = options.check === undefined ? document : options.check(document)
  if (dateField !== undefined) {
    const date = (document as Record<string, unknown>)[dateField] as number
    if (date > options.now! + format.maxClockSkewMs!) throw fault(errors.notYetValid, `${name} of ${claim.peerId} is dated ${date}, ahead of ${options.now}`)
  }
  return result
}

/** The format's error for a failed check; every error class named is checked by signedDocumentFormat. */
function fault (ErrorClass: DocumentErrorClass | undefined, message: string): Error {
  return new (ErrorClass as DocumentErrorClass)(message)
}
