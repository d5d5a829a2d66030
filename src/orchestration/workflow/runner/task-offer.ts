/**
 * A step action's task: its resolved bindings made into bytes, and the offer
 * built from them and the run's defaults, checked as the executor will check
 * it (task-protocol's validateOffer).
 *
 * How each binding part becomes bytes (where `${{ … }}` stood):
 * - `text`: its UTF-8.
 * - `blob` (`steps.X.files["n"]`, a `bytes` input): the blob's bytes. In an
 *   argument, which is text, they must be UTF-8.
 * - `files` (a `files` input): each file is put in the task's directory at
 *   its own name; in place stand the names, one per line.
 * - `items` (`steps.X.items`, the reduce step): in place, the JSON array the
 *   spec documents, one entry per item in item order — the item's stdout read
 *   as JSON when it is JSON, else its stdout as a string, and null for an
 *   item that did not succeed. Files the items wrote are put in the task's
 *   directory as `<X>/<index, 4 digits>/<name>` (`detect/0003/out.txt`).
 * A blob that is not stored, or text that is not UTF-8, is an
 * UnboundInputError: the step is Errored.
 */
import { bytesToUtf8, hexToBytes, sha256Hex, utf8ToBytes } from '../../../core/index.ts'
import { validateOffer } from '../../task-protocol/index.ts'
import type { ValidOffer } from '../../task-protocol/index.ts'
import type { Binding, BindingPart, ItemOutputs, StepAction } from '../scheduler/index.ts'
import { HASHED_TASK_ID_PREFIX, ITEM_INDEX_DIGITS, MAX_STEP_TASK_ID_LENGTH } from './constants.ts'
import { UnboundInputError } from './errors.ts'
import type { BlobStore, WorkflowTaskDefaults } from './types.ts'

/** A binding made into bytes, with the files it brings into the task's directory. */
interface Materialized {
  bytes: Uint8Array<ArrayBuffer>
  files: Array<[string, Uint8Array<ArrayBuffer>]>
}

const TASK_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_STEP_TASK_ID_LENGTH}}$`)

/**
 * `${runId}-${step}-${item ?? 'x'}-${attempt}`; when that breaks the task
 * protocol's id rule (1–64 of [A-Za-z0-9_-]) or leaves no room for a check's
 * suffix (MAX_STEP_TASK_ID_LENGTH: a long run id or step name), `wf-` and the
 * first 32 hex digits of its SHA-256 instead, so the id is still the same for
 * the same attempt.
 */
export function taskIdOf (runId: string, action: Pick<StepAction, 'step' | 'item' | 'attempt'>): string {
  return fittedTaskId(`${runId}-${action.step}-${action.item ?? 'x'}-${action.attempt}`)
}

/** `id` when it fits MAX_STEP_TASK_ID_LENGTH characters of [A-Za-z0-9_-], else `wf-` and 32 hex digits of its SHA-256. */
export function fittedTaskId (id: string): string {
  return TASK_ID.test(id) ? id : HASHED_TASK_ID_PREFIX + sha256Hex(utf8ToBytes(id)).slice(0, 32)
}

async function blob (blobs: BlobStore, hash: string): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await blobs.get(hash)
  if (bytes === undefined) throw new UnboundInputError(`blob ${hash} is not stored`)
  return new Uint8Array(bytes)
}

function itemEntry (item: ItemOutputs): unknown {
  if (item === null) return null
  if (item.json !== undefined) return item.json
  try {
    return JSON.parse(item.stdout)
  } catch {
    return item.stdout
  }
}

async function part (blobs: BlobStore, piece: BindingPart, files: Array<[string, Uint8Array<ArrayBuffer>]>): Promise<Uint8Array<ArrayBuffer>> {
  switch (piece.kind) {
    case 'text': return utf8ToBytes(piece.text)
    case 'blob': return blob(blobs, piece.hash)
    case 'files': {
      for (const [name, hash] of Object.entries(piece.files)) files.push([name, await blob(blobs, hash)])
      return utf8ToBytes(Object.keys(piece.files).join('\n'))
    }
    case 'items': {
      for (const [index, item] of piece.items.entries()) {
        const dir = `${piece.step}/${String(index).padStart(ITEM_INDEX_DIGITS, '0')}`
        for (const [name, hash] of Object.entries(item?.files ?? {})) files.push([`${dir}/${name}`, await blob(blobs, hash)])
      }
      return utf8ToBytes(JSON.stringify(piece.items.map(itemEntry)))
    }
  }
}

/** A resolved binding as bytes (parts joined in order) and the files its parts bring. */
export async function materialize (blobs: BlobStore, binding: Binding): Promise<Materialized> {
  if (typeof binding === 'string') return { bytes: utf8ToBytes(binding), files: [] }
  const files: Array<[string, Uint8Array<ArrayBuffer>]> = []
  const chunks: Uint8Array<ArrayBuffer>[] = []
  for (const piece of binding) chunks.push(await part(blobs, piece, files))
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { bytes, files }
}

function text (bytes: Uint8Array, what: string): string {
  try {
    return bytesToUtf8(bytes)
  } catch {
    throw new UnboundInputError(`${what} is not UTF-8 text`)
  }
}

/**
 * The checked offer for one attempt of an action. Throws UnboundInputError
 * when a binding cannot be made into bytes, InvalidTaskMessageError when the
 * task breaks a protocol limit (too large a stdin, too many files, …).
 */
export async function buildOffer (
  blobs: BlobStore, runId: string, action: StepAction, module: { bytes: Uint8Array<ArrayBuffer>, hash: string }, defaults: WorkflowTaskDefaults
): Promise<ValidOffer> {
  const files: Array<[string, Uint8Array<ArrayBuffer>]> = []
  const args: string[] = []
  for (const [index, binding] of action.args.entries()) {
    const made = await materialize(blobs, binding)
    files.push(...made.files)
    args.push(text(made.bytes, `argument ${index}`))
  }
  let stdin = new Uint8Array(0)
  if (action.stdin !== undefined) {
    const made = await materialize(blobs, action.stdin)
    files.push(...made.files)
    stdin = made.bytes
  }
  for (const [name, binding] of Object.entries(action.files)) {
    const made = await materialize(blobs, binding)
    files.push([name, made.bytes], ...made.files)
  }
  return validateOffer({
    taskId: taskIdOf(runId, action),
    moduleHash: hexToBytes(module.hash),
    moduleSize: module.bytes.byteLength,
    stdin,
    args,
    env: Object.entries(action.env).map(([name, value]) => ({ name, value })),
    files: files.map(([path, data]) => ({ path, data })),
    seed: defaults.seed,
    timeoutMs: action.timeoutMs ?? defaults.timeoutMs,
    memoryLimitBytes: defaults.memoryLimitBytes,
    fuel: BigInt(action.fuel ?? defaults.fuel),
    maxTotalPrice: BigInt(defaults.maxTotalPrice)
  })
}
