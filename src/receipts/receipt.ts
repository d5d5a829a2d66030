/**
 * Execution receipts, format version 3 (normative text: docs/receipt-format.md).
 *
 * A receipt is the executor's signed statement of what it ran (module, stdin,
 * args, env, seed, input files, limits), for whom, how it ended (status, exit
 * code, fuel and memory used, and hashes of stdout, stderr and the output
 * files), and what it charges: its prices, the task's budget and the charge
 * those give for the resources used, so the amount owed is recomputable from
 * the signed receipt alone. Failed runs get one too, so a witness can re-execute the task from
 * the seed and check the claim. The signature is pure Ed25519 (RFC 8032
 * §5.1.6) over the UTF-8 bytes of the RFC 8785 canonical JSON of every field
 * except `signature`, with `publicKey` bound to the `executor` PeerId (through
 * crypto/signed-document.ts); so anyone holding the JSON can check it, with
 * no access to this code or this network.
 *
 * @example
 * const receipt = await signReceipt(unsigned, identity)
 * // …sent as JSON, received by the submitter…
 * const checked = parseReceipt(JSON.parse(text))
 * await verifyReceipt(checked, { taskId, moduleHash, inputHash, env, seed, inputFilesHash, limits, submitter: ownPeerId })
 */
import { canonicalize, sha256Hex, utf8ToBytes } from '../core/index.ts'
import { parseSignedDocument, signDocument, signedDocumentFormat, verifyDocumentAsync } from '../crypto/index.ts'
import type { PeerIdentity } from '../crypto/index.ts'
import { MAX_RECEIPT_BYTES } from './constants.ts'
import { ReceiptKeyMismatchError, ReceiptMismatchError, ReceiptSignatureError, ReceiptTooLargeError } from './errors.ts'
import { LIMITS_FIELDS, PRICE_FIELDS, RECEIPT_FIELDS, UNSIGNED_FIELDS, readFields } from './receipt-schema.ts'
import type { Receipt, ReceiptExpectations, UnsignedReceipt } from './types.ts'

/** No clock and no sender check: a receipt is checked against expectations, and forwarded by others than its executor. */
const RECEIPT = signedDocumentFormat<Receipt>({
  name: 'receipt',
  signedFields: UNSIGNED_FIELDS,
  signerField: 'executor',
  maxBytes: MAX_RECEIPT_BYTES,
  schema: value => readFields(value, true) as Receipt,
  errors: { tooLarge: ReceiptTooLargeError, keyMismatch: ReceiptKeyMismatchError, signature: ReceiptSignatureError }
})

/**
 * Checks `value` against the size limit, then the version 3 schema, and
 * returns a copy holding exactly the receipt's fields.
 */
export function parseReceipt (value: unknown): Receipt {
  // Size first, then the schema (docs/receipt-format.md §7 step 1): a well-formed receipt always
  // fits, so the size only ever turns away values that would fail the schema anyway, before the costlier checks.
  return parseSignedDocument(value, RECEIPT)
}

/** Signs `unsigned` as its executor. Its `executor` and `publicKey` must be those of `identity`. */
export async function signReceipt (unsigned: UnsignedReceipt, identity: PeerIdentity): Promise<Receipt> {
  return signDocument(readFields(unsigned, false), identity, RECEIPT)
}

/**
 * Checks, in this order: the schema; that `publicKey` is the key inside
 * `executor`; the signature; then each expectation. Expectations come last so
 * that a ReceiptMismatchError always concerns a receipt the executor really
 * signed, which makes it evidence against that executor.
 */
export async function verifyReceipt (receipt: Receipt, expected: ReceiptExpectations = {}): Promise<void> {
  const checked = await verifyDocumentAsync(receipt, RECEIPT)
  for (const field of Object.keys(expected) as Array<keyof ReceiptExpectations>) {
    const want = expected[field]
    if (want === undefined) continue
    if (canonicalize(want) !== canonicalize(checked[field])) throw new ReceiptMismatchError(field, want, checked[field])
  }
}

/**
 * Lowercase hex SHA-256 of the UTF-8 of the receipt's RFC 8785 canonical
 * JSON, signature included: the one name by which payments, attestations and
 * settlements refer to a receipt.
 */
export function receiptHash (receipt: Receipt): string {
  return sha256Hex(utf8ToBytes(canonicalize(receipt)))
}

/** Indented JSON with the fields in specification order, for export and display. Parse it back with JSON.parse + parseReceipt. */
export function receiptToJson (receipt: Receipt): string {
  // A replacer list applies at every depth, so it must name the members of `limits` and `price` too.
  return JSON.stringify(receipt, [...RECEIPT_FIELDS, ...LIMITS_FIELDS, ...PRICE_FIELDS], 2)
}
