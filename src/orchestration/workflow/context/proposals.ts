/**
 * Steps and the context (docs/workflow-context.md §6): a step reads the
 * context as an input file (CONTEXT_INPUT_PATH) and proposes updates by
 * writing an output file (CONTEXT_UPDATES_PATH), a JSON array of
 * `{ "key": …, "value": … }`. The step's executor does not sign them: the
 * file is among the step's output files, which its receipt already covers
 * (by `outputFilesHash`); the submitter, having verified the receipt, turns
 * the proposals into entries it writes itself, each naming that receipt
 * (`receiptHash`), signs them and applies them by the rules.
 *
 * @example
 * const unsigned = proposalsFromOutput(files['/work/context-updates.json'], {
 *   contextId: run.runId, writer: identity.peerId, publicKey, lamportStart: nextLamport(state.clock),
 *   at: Date.now(), receiptHash, schema: state.schema
 * })
 * for (const fields of unsigned) state.apply(await signContextEntry(fields, identity))
 */
import { bytesToUtf8, canonicalize, utf8ToBytes } from '../../../core/index.ts'
import { CONTEXT_ENTRY_KIND, MAX_CONTEXT_PROPOSALS, MAX_CONTEXT_UPDATES_BYTES, MAX_CONTEXT_VALUE_BYTES, MAX_LAMPORT } from './constants.ts'
import type { UnsignedContextEntry } from './entry.ts'
import { InvalidContextProposalError } from './errors.ts'
import { checkContextValue, isContextKey } from './schema.ts'
import type { ContextSchema } from './schema.ts'

/** Who writes the proposals, and when. */
export interface ProposalWriter {
  contextId: string
  /** The submitter's PeerId: it signs on the step's behalf. */
  writer: string
  /** The submitter's raw Ed25519 public key, unpadded base64url. */
  publicKey: string
  /** The first proposal's lamport (nextLamport of the state's clock); the next ones follow it, one each, in file order. */
  lamportStart: number
  /** Unix epoch ms, the submitter's clock, for every entry. */
  at: number
  /** receiptHash of the step's verified receipt, whose output files held the proposals. */
  receiptHash: string
  /** When given, every proposal is checked against it (declared key, rule, type, maxBytes) before any is returned. */
  schema?: ContextSchema
}

/**
 * Parses a step's updates file into unsigned entries, in file order, ready
 * for signContextEntry. All or nothing: the first bad proposal throws
 * (InvalidContextProposalError for the file's shape; with `schema`,
 * UndeclaredContextKeyError, ContextRuleViolationError or
 * ContextEntryLimitError), so a step's updates are never half applied for a
 * reason the step could see.
 */
export function proposalsFromOutput (bytes: Uint8Array, writer: ProposalWriter): UnsignedContextEntry[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array')
  const { lamportStart } = writer
  if (!Number.isSafeInteger(lamportStart) || lamportStart < 1) throw new RangeError('lamportStart must be a safe integer ≥ 1')
  if (bytes.length > MAX_CONTEXT_UPDATES_BYTES) throw new InvalidContextProposalError('', `is ${bytes.length} bytes, limit ${MAX_CONTEXT_UPDATES_BYTES}`)
  let parsed: unknown
  try {
    parsed = JSON.parse(bytesToUtf8(bytes))
  } catch (err) {
    throw new InvalidContextProposalError('', `is not JSON in UTF-8 (${err instanceof Error ? err.message : String(err)})`)
  }
  if (!Array.isArray(parsed)) throw new InvalidContextProposalError('', 'must be a JSON array of { "key", "value" }')
  if (parsed.length > MAX_CONTEXT_PROPOSALS) throw new InvalidContextProposalError('', `holds ${parsed.length} updates, at most ${MAX_CONTEXT_PROPOSALS}`)
  if (parsed.length - 1 > MAX_LAMPORT - lamportStart) throw new RangeError('the lamport clock would pass its largest value')

  return parsed.map((item: unknown, index) => {
    const at = `[${index}]`
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new InvalidContextProposalError(at, 'must be a JSON object { "key", "value" }')
    const record = item as Record<string, unknown>
    for (const member of Object.keys(record)) {
      if (member !== 'key' && member !== 'value') throw new InvalidContextProposalError(`${at}.${member}`, 'is not a member of an update')
    }
    const { key, value } = record
    if (!isContextKey(key)) throw new InvalidContextProposalError(`${at}.key`, 'must be a key name')
    if (!Object.hasOwn(record, 'value')) throw new InvalidContextProposalError(`${at}.value`, 'is missing')
    let size: number
    try {
      size = utf8ToBytes(canonicalize(value)).length
    } catch (err) {
      throw new InvalidContextProposalError(`${at}.value`, `must be a JSON value (${err instanceof Error ? err.message : String(err)})`)
    }
    if (size > MAX_CONTEXT_VALUE_BYTES) throw new InvalidContextProposalError(`${at}.value`, `must be at most ${MAX_CONTEXT_VALUE_BYTES} bytes in canonical form`)
    if (writer.schema !== undefined) checkContextValue(writer.schema, key, value)
    return {
      kind: CONTEXT_ENTRY_KIND,
      contextId: writer.contextId,
      key,
      value,
      writer: writer.writer,
      lamport: lamportStart + index,
      at: writer.at,
      receiptHash: writer.receiptHash,
      publicKey: writer.publicKey
    }
  })
}

/** The bytes of the context input file a step is given (CONTEXT_INPUT_PATH): the canonical JSON of ContextState.value(), UTF-8. */
export function contextInputBytes (value: Record<string, unknown>): Uint8Array {
  return utf8ToBytes(canonicalize(value))
}
