/**
 * Receipt announcements, format version 1: a submitter publishes a receipt it
 * accepted together with the task's input (stdin and input files), so that
 * any witness can re-run the task; the module is fetched by hash. The input
 * becomes public: a submitter announces only tasks it is willing to show
 * (the per-task `witnesses` setting), and only inputs within
 * MAX_ANNOUNCED_INPUT_BYTES, which keeps announcements cheap to gossip.
 *
 * Nothing in an announcement is taken on trust: it must come from the
 * receipt's submitter, the receipt must verify, and the input must hash to
 * what the executor signed.
 */
import { base64UrlToBytes, bytesToBase64Url, sha256Hex } from '../../core/index.ts'
import { fieldCheckers } from '../../crypto/index.ts'
import { MAX_TASK_FILES } from '../../core/limits.ts'
import { parseTraceparent } from '../../core/tracing/index.ts'
import { filesHash } from '../../receipts/files-hash.ts'
import { parseReceipt, verifyReceipt } from '../../receipts/receipt.ts'
import type { Receipt } from '../../receipts/types.ts'
import { MAX_RECEIPT_BYTES } from '../../receipts/constants.ts'
import { InvalidAnnouncementError, TaskMaterialMismatchError } from './errors.ts'

/** Version of the announcement format. */
export const ANNOUNCEMENT_VERSION = 1

/** Largest stdin plus input files an announcement carries; larger tasks are not announced. */
export const MAX_ANNOUNCED_INPUT_BYTES = 256 * 1024

/** Largest announcement on the wire: the input in base64url (4/3), a receipt, and the JSON around them. */
export const MAX_ANNOUNCEMENT_BYTES = Math.ceil(MAX_ANNOUNCED_INPUT_BYTES * 4 / 3) + MAX_RECEIPT_BYTES + 16 * 1024

/** What a witness needs to re-run a task: the receipt and the task's input. */
export interface TaskMaterial {
  receipt: Receipt
  stdin: Uint8Array<ArrayBuffer>
  files: Array<[string, Uint8Array<ArrayBuffer>]>
  /**
   * The submitter's `pay` span (W3C Trace Context), when the task was traced:
   * a witness's re-run joins the task's trace (docs/tracing.md §2). Optional
   * in the announcement, outside every signature (the receipt names the trace).
   */
  traceparent?: string
}

const check = fieldCheckers((field, message) => new InvalidAnnouncementError(field, message), 'a version 1 receipt announcement')

/** Whether the task's input is small enough to announce. */
export function announceable (stdin: Uint8Array, files: ReadonlyArray<readonly [string, Uint8Array]>): boolean {
  return stdin.byteLength + files.reduce((sum, [, bytes]) => sum + bytes.byteLength, 0) <= MAX_ANNOUNCED_INPUT_BYTES
}

/** The JSON value published for `material`. */
export function encodeAnnouncement (material: TaskMaterial): unknown {
  return {
    version: ANNOUNCEMENT_VERSION,
    receipt: material.receipt,
    stdin: bytesToBase64Url(material.stdin),
    files: material.files.map(([path, bytes]) => [path, bytesToBase64Url(bytes)]),
    ...(material.traceparent === undefined ? {} : { traceparent: material.traceparent })
  }
}

/**
 * Reads an announcement's schema and decodes its input; checks nothing that
 * costs a signature or a hash, so a witness can first decide whether it wants
 * the receipt at all. Follow with verifyAnnouncement before trusting it.
 */
export function parseAnnouncement (value: unknown): TaskMaterial {
  const record = check.jsonObject(value, 'announcement')
  check.exactMembers(record, ['version', 'receipt', 'stdin', 'files', 'traceparent'], '', ['traceparent'])
  if (record.version !== ANNOUNCEMENT_VERSION) throw new InvalidAnnouncementError('version', `must be ${ANNOUNCEMENT_VERSION}`)
  const receipt = parseReceipt(record.receipt)
  const stdin = decode(record.stdin, 'stdin')
  if (!Array.isArray(record.files) || record.files.length > MAX_TASK_FILES) throw new InvalidAnnouncementError('files', `must be an array of at most ${MAX_TASK_FILES} [path, base64url] pairs`)
  const files = (record.files as unknown[]).map((entry, i): [string, Uint8Array<ArrayBuffer>] => {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') throw new InvalidAnnouncementError(`files[${i}]`, 'must be a [path, base64url] pair')
    return [entry[0], decode(entry[1], `files[${i}]`)]
  })
  if (record.traceparent === undefined) return { receipt, stdin, files }
  if (typeof record.traceparent !== 'string') throw new InvalidAnnouncementError('traceparent', 'must be a W3C traceparent string when present')
  try {
    parseTraceparent(record.traceparent)
  } catch (err) {
    throw new InvalidAnnouncementError('traceparent', (err as Error).message)
  }
  return { receipt, stdin, files, traceparent: record.traceparent }
}

/**
 * Checks an announcement published by `from`: the receipt's signature, that
 * `from` is its submitter, and that the input hashes to the receipt's
 * inputHash and inputFilesHash.
 */
export async function verifyAnnouncement (material: TaskMaterial, from: string): Promise<void> {
  const { receipt, stdin, files } = material
  await verifyReceipt(receipt, { submitter: from })
  if (sha256Hex(stdin) !== receipt.inputHash) throw new TaskMaterialMismatchError(`announced stdin of ${receipt.taskId} does not hash to the receipt's inputHash`)
  if (filesHash(files) !== receipt.inputFilesHash) throw new TaskMaterialMismatchError(`announced files of ${receipt.taskId} do not hash to the receipt's inputFilesHash`)
}

/** parseAnnouncement, then verifyAnnouncement. */
export async function readAnnouncement (value: unknown, from: string): Promise<TaskMaterial> {
  const material = parseAnnouncement(value)
  await verifyAnnouncement(material, from)
  return material
}

function decode (value: unknown, field: string): Uint8Array<ArrayBuffer> {
  if (typeof value !== 'string') throw new InvalidAnnouncementError(field, 'must be base64url')
  try {
    return base64UrlToBytes(value)
  } catch {
    throw new InvalidAnnouncementError(field, 'must be base64url')
  }
}
