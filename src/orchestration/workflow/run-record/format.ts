/**
 * The workflow record, version 1 (normative text: docs/workflow-record.md):
 * the submitter's signed statement of one workflow run — the spec it ran (by
 * hash), its inputs (by hash), the seed every task ran with, how every step
 * and fan-out item ended, which receipt (by hash) and which executor each
 * result came from, and what the workflow returned (by hash). Signed as
 * receipts are (through crypto/signed-document.ts): pure Ed25519 over the
 * UTF-8 of the RFC 8785 canonical JSON of every field but `signature`, with
 * `publicKey` bound to the `submitter` PeerId.
 */
import { fieldCheckers, parseSignedDocument, signDocument, signedDocumentFormat, ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH } from '../../../crypto/index.ts'
import type { PeerIdentity } from '../../../crypto/index.ts'
import { MAX_NAME_LENGTH } from '../spec/index.ts'
import {
  MAX_RECORD_ATTEMPTS, MAX_RECORD_FILE_PATH_BYTES, MAX_RECORD_INPUTS, MAX_RECORD_ITEM, MAX_RECORD_OUTPUTS, MAX_RECORD_STEP_FILES,
  MAX_RUN_ID_LENGTH, MAX_WORKFLOW_RECORD_BYTES, MAX_WORKFLOW_RECORD_CLOCK_SKEW_MS, MAX_WORKFLOW_RECORD_STEPS, WORKFLOW_RECORD_KIND,
  WORKFLOW_RECORD_KIND_WITH_CONTEXT
} from './constants.ts'
import {
  InvalidWorkflowRecordError, WorkflowRecordKeyMismatchError, WorkflowRecordNotYetValidError, WorkflowRecordSignatureError, WorkflowRecordTooLargeError
} from './errors.ts'

/** A2A task states a finished run can be in. */
export type WorkflowRecordState = 'completed' | 'failed' | 'canceled'

/** How a step (or one fan-out item) ended: A2A task states plus Argo's `skipped`. */
export type WorkflowRecordStepState = 'completed' | 'failed' | 'skipped' | 'canceled'

/** One step, or one item of a fan-out step, as the run ended. */
export interface WorkflowRecordStep {
  /** The step's name in the spec. */
  name: string
  /** The item index, for a fan-out step's item; absent for a plain step, and for a whole fan-out step skipped or errored before it had items. */
  item?: number
  state: WorkflowRecordStepState
  /** Attempts started (0 for one that never ran). */
  attempts: number
  /** PeerId that ran the attempt that succeeded (from its receipt); null when none did, or a reused result whose receipt this tab no longer holds. */
  executor: string | null
  /** Hash (receipts' `receiptHash`) of the receipt the result was verified by; null unless completed. */
  receiptHash: string | null
  /** True when the result was not run again but reused from an earlier verified receipt (memoization); absent otherwise. */
  memoized?: true
  /** SHA-256 of its stdout (the receipt's `outputHash`); null unless completed. */
  stdoutHash: string | null
  /** Output files, path → SHA-256 of the bytes; their files hash is the receipt's `outputFilesHash`. Empty unless completed. */
  files: Record<string, string>
  /** Unix epoch ms when its first attempt started; null when none did. */
  startedAt: number | null
  /** Unix epoch ms when it settled (or the run was canceled); null when it never settled. */
  finishedAt: number | null
}

/** Every field of a workflow record except its signature: exactly what is signed. */
export interface UnsignedWorkflowRecord {
  /** Version 1; version 2 for a run whose spec declares a shared context, which then has `contextHash`. */
  kind: typeof WORKFLOW_RECORD_KIND | typeof WORKFLOW_RECORD_KIND_WITH_CONTEXT
  /** The run's id, which is the A2A contextId of each of its tasks. */
  runId: string
  /** PeerId of the submitter, who signs the record (and whom every step's receipt names as submitter). */
  submitter: string
  /** The submitter's raw 32-byte Ed25519 public key, unpadded base64url. */
  publicKey: string
  /** SHA-256 of the spec's text exactly as written (YAML or JSON), UTF-8. */
  specHash: string
  /** Input name → SHA-256 (docs/workflow-record.md §3 says of what, by the input's type). */
  inputHashes: Record<string, string>
  /** The 32-byte seed every task of the run ran with, hex; receipts carry it as base64url `seed`. */
  seedHex: string
  state: WorkflowRecordState
  /** Steps in spec order; a fan-out step's items in item order. */
  steps: WorkflowRecordStep[]
  /** Output name → SHA-256 of the resolved output (§3); empty unless the run completed. */
  outputs: Record<string, string>
  /** Unix epoch ms when the run was submitted, and when its last event happened. */
  createdAt: number
  finishedAt: number
  /**
   * Version 2 only, and always there: the hash of the run's shared context as
   * the run ended (ContextState.hash, docs/workflow-context.md §5) — the set
   * of signed entries every replica that holds them agrees on.
   */
  contextHash?: string
}

export interface WorkflowRecord extends UnsignedWorkflowRecord {
  /** Unpadded base64url of the 64-byte Ed25519 signature over the canonical unsigned record. */
  signature: string
}

/** The signed members, in the order docs/workflow-record.md lists them. */
export const UNSIGNED_WORKFLOW_RECORD_FIELDS = [
  'kind', 'runId', 'submitter', 'publicKey', 'specHash', 'inputHashes', 'seedHex', 'state', 'steps', 'outputs', 'createdAt', 'finishedAt'
] as const satisfies ReadonlyArray<keyof UnsignedWorkflowRecord>

/** Version 2's signed members: version 1's and the context's hash. */
export const UNSIGNED_WORKFLOW_RECORD_FIELDS_WITH_CONTEXT = [...UNSIGNED_WORKFLOW_RECORD_FIELDS, 'contextHash'] as const

const RECORD_FIELDS = [...UNSIGNED_WORKFLOW_RECORD_FIELDS, 'signature'] as const
const RECORD_FIELDS_WITH_CONTEXT = [...UNSIGNED_WORKFLOW_RECORD_FIELDS_WITH_CONTEXT, 'signature'] as const

const STEP_FIELDS = [
  'name', 'item', 'state', 'attempts', 'executor', 'receiptHash', 'memoized', 'stdoutHash', 'files', 'startedAt', 'finishedAt'
] as const satisfies ReadonlyArray<keyof WorkflowRecordStep>

const STATES: readonly WorkflowRecordState[] = ['completed', 'failed', 'canceled']
const STEP_STATES: readonly WorkflowRecordStepState[] = ['completed', 'failed', 'skipped', 'canceled']

/** The spec's rule for step, input and output names (docs/workflow-spec.md). */
const NAME = new RegExp(`^[A-Za-z_][A-Za-z0-9_-]{0,${MAX_NAME_LENGTH - 1}}$`)
const RUN_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_RUN_ID_LENGTH}}$`)
const SEED_HEX = /^[0-9a-f]{64}$/

const check = fieldCheckers((field, message) => new InvalidWorkflowRecordError(field, message), 'a version 1 or 2 workflow record')

/** Dated by `finishedAt`: a record from the future is refused, as dated signed documents are. */
const formatOf = (withContext: boolean): ReturnType<typeof signedDocumentFormat<WorkflowRecord>> => signedDocumentFormat<WorkflowRecord>({
  name: 'workflow record',
  signedFields: withContext ? UNSIGNED_WORKFLOW_RECORD_FIELDS_WITH_CONTEXT : UNSIGNED_WORKFLOW_RECORD_FIELDS,
  signerField: 'submitter',
  maxBytes: MAX_WORKFLOW_RECORD_BYTES,
  schema: value => readRecord(value, withContext),
  dateField: 'finishedAt',
  maxClockSkewMs: MAX_WORKFLOW_RECORD_CLOCK_SKEW_MS,
  errors: {
    tooLarge: WorkflowRecordTooLargeError,
    keyMismatch: WorkflowRecordKeyMismatchError,
    signature: WorkflowRecordSignatureError,
    notYetValid: WorkflowRecordNotYetValidError
  }
})
const WORKFLOW_RECORD = formatOf(false)
const WORKFLOW_RECORD_WITH_CONTEXT = formatOf(true)

/** The checked format of a record as given, by its `kind` (version 1 for anything else, which its schema then refuses): for verify.ts. */
export function workflowRecordFormatOf (value: unknown): typeof WORKFLOW_RECORD {
  return (value as { kind?: unknown } | null)?.kind === WORKFLOW_RECORD_KIND_WITH_CONTEXT ? WORKFLOW_RECORD_WITH_CONTEXT : WORKFLOW_RECORD
}

/** Checks the size limit, then the schema; returns a copy holding exactly the record's fields. Does not check the signature. */
export function parseWorkflowRecord (value: unknown): WorkflowRecord {
  return parseSignedDocument(value, workflowRecordFormatOf(value))
}

/** Signs `unsigned` as `identity`, which must be its `submitter` and own its `publicKey`. */
export async function signWorkflowRecord (unsigned: UnsignedWorkflowRecord, identity: PeerIdentity): Promise<WorkflowRecord> {
  const record = check.jsonObject(unsigned, 'workflow record')
  const withContext = record.kind === WORKFLOW_RECORD_KIND_WITH_CONTEXT
  check.exactMembers(record, withContext ? UNSIGNED_WORKFLOW_RECORD_FIELDS_WITH_CONTEXT : UNSIGNED_WORKFLOW_RECORD_FIELDS, '')
  return signDocument(readUnsigned(record, withContext), identity, withContext ? WORKFLOW_RECORD_WITH_CONTEXT : WORKFLOW_RECORD)
}

function readRecord (value: unknown, withContext: boolean): WorkflowRecord {
  const record = check.jsonObject(value, 'workflow record')
  check.exactMembers(record, withContext ? RECORD_FIELDS_WITH_CONTEXT : RECORD_FIELDS, '')
  return { ...readUnsigned(record, withContext), signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

function oneOf<T extends string> (value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new InvalidWorkflowRecordError(field, `must be one of ${allowed.join(', ')}`)
  return value as T
}

function name (value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) throw new InvalidWorkflowRecordError(field, `must be a name of 1 to ${MAX_NAME_LENGTH} characters of [A-Za-z0-9_-], starting with a letter or _`)
  return value
}

/** A JSON object mapping keys (checked by `key`) to hex256 values, at most `max` of them; a fresh object, so `__proto__` stays a plain key. */
function hashMap (value: unknown, field: string, max: number, key: (k: string, field: string) => void): Record<string, string> {
  const record = check.jsonObject(value, field)
  const keys = Object.keys(record)
  if (keys.length > max) throw new InvalidWorkflowRecordError(field, `must have at most ${max} members`)
  const out: Record<string, string> = {}
  for (const k of keys) {
    const at = `${field}[${JSON.stringify(k)}]`
    key(k, at)
    Object.defineProperty(out, k, { value: check.hex256(record[k], at), enumerable: true, writable: true, configurable: true })
  }
  return out
}

function nullable<T> (value: unknown, read: (v: unknown) => T): T | null {
  return value === null ? null : read(value)
}

function readStep (value: unknown, field: string): WorkflowRecordStep {
  const step = check.jsonObject(value, field)
  check.exactMembers(step, STEP_FIELDS, `${field}.`, ['item', 'memoized'])
  const state = oneOf(step.state, `${field}.state`, STEP_STATES)
  const completed = state === 'completed'
  const out: WorkflowRecordStep = {
    name: name(step.name, `${field}.name`),
    ...(step.item === undefined ? {} : { item: check.safeInteger(step.item, `${field}.item`, 0, MAX_RECORD_ITEM) }),
    state,
    attempts: check.safeInteger(step.attempts, `${field}.attempts`, 0, MAX_RECORD_ATTEMPTS),
    executor: nullable(step.executor, v => check.peerId(v, `${field}.executor`)),
    receiptHash: nullable(step.receiptHash, v => check.hex256(v, `${field}.receiptHash`)),
    ...(step.memoized === undefined ? {} : { memoized: memoizedFlag(step.memoized, `${field}.memoized`) }),
    stdoutHash: nullable(step.stdoutHash, v => check.hex256(v, `${field}.stdoutHash`)),
    files: hashMap(step.files, `${field}.files`, MAX_RECORD_STEP_FILES, (k, at) => { check.utf8Length(k, at, 1, MAX_RECORD_FILE_PATH_BYTES) }),
    startedAt: nullable(step.startedAt, v => check.safeInteger(v, `${field}.startedAt`, 0)),
    finishedAt: nullable(step.finishedAt, v => check.safeInteger(v, `${field}.finishedAt`, 0))
  }
  // What only a result has: a step that did not complete has no receipt, stdout or files to name.
  if (completed !== (out.stdoutHash !== null)) throw new InvalidWorkflowRecordError(`${field}.stdoutHash`, completed ? 'must be set for a completed step' : 'must be null unless the step completed')
  if (!completed && out.receiptHash !== null) throw new InvalidWorkflowRecordError(`${field}.receiptHash`, 'must be null unless the step completed')
  if (!completed && Object.keys(out.files).length > 0) throw new InvalidWorkflowRecordError(`${field}.files`, 'must be empty unless the step completed')
  if (!completed && out.memoized !== undefined) throw new InvalidWorkflowRecordError(`${field}.memoized`, 'is only for a completed step')
  if (out.memoized === true && out.receiptHash === null) throw new InvalidWorkflowRecordError(`${field}.receiptHash`, 'must name the reused receipt')
  if (out.startedAt !== null && out.finishedAt !== null && out.finishedAt < out.startedAt) throw new InvalidWorkflowRecordError(`${field}.finishedAt`, 'must not be before startedAt')
  return out
}

function memoizedFlag (value: unknown, field: string): true {
  if (value !== true) throw new InvalidWorkflowRecordError(field, 'must be true when present')
  return true
}

function readSteps (value: unknown): WorkflowRecordStep[] {
  if (!Array.isArray(value)) throw new InvalidWorkflowRecordError('steps', 'must be an array')
  if (value.length > MAX_WORKFLOW_RECORD_STEPS) throw new InvalidWorkflowRecordError('steps', `must have at most ${MAX_WORKFLOW_RECORD_STEPS} entries`)
  const seen = new Set<string>()
  return value.map((entry, i) => {
    const step = readStep(entry, `steps[${i}]`)
    const key = `${step.name}/${step.item ?? ''}`
    if (seen.has(key)) throw new InvalidWorkflowRecordError(`steps[${i}]`, `repeats ${step.name}${step.item === undefined ? '' : `[${step.item}]`}`)
    seen.add(key)
    return step
  })
}

function readUnsigned (record: Record<string, unknown>, withContext: boolean): UnsignedWorkflowRecord {
  const kind = withContext ? WORKFLOW_RECORD_KIND_WITH_CONTEXT : WORKFLOW_RECORD_KIND
  if (record.kind !== kind) throw new InvalidWorkflowRecordError('kind', `must be ${WORKFLOW_RECORD_KIND} or ${WORKFLOW_RECORD_KIND_WITH_CONTEXT}`)
  if (typeof record.runId !== 'string' || !RUN_ID.test(record.runId)) throw new InvalidWorkflowRecordError('runId', `must be 1 to ${MAX_RUN_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  if (typeof record.seedHex !== 'string' || !SEED_HEX.test(record.seedHex)) throw new InvalidWorkflowRecordError('seedHex', 'must be 64 lowercase hex digits (32 bytes)')
  const createdAt = check.safeInteger(record.createdAt, 'createdAt', 0)
  const finishedAt = check.safeInteger(record.finishedAt, 'finishedAt', 0)
  if (finishedAt < createdAt) throw new InvalidWorkflowRecordError('finishedAt', 'must not be before createdAt')
  return {
    kind,
    runId: record.runId,
    submitter: check.peerId(record.submitter, 'submitter'),
    publicKey: check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH),
    specHash: check.hex256(record.specHash, 'specHash'),
    inputHashes: hashMap(record.inputHashes, 'inputHashes', MAX_RECORD_INPUTS, name),
    seedHex: record.seedHex,
    state: oneOf(record.state, 'state', STATES),
    steps: readSteps(record.steps),
    outputs: hashMap(record.outputs, 'outputs', MAX_RECORD_OUTPUTS, name),
    createdAt,
    finishedAt,
    ...(withContext ? { contextHash: check.hex256(record.contextHash, 'contextHash') } : {})
  }
}
