import { bytesToHex, hexToBytes } from '../../core/encoding.ts'
import {
  MAX_ARGS, MAX_ARGS_AND_ENV_BYTES, MAX_ARG_BYTES, MAX_ENV_ENTRIES, MAX_ENV_NAME_BYTES, MAX_ENV_VALUE_BYTES,
  MAX_FILE_PATH_BYTES, MAX_FUEL, MAX_INPUT_FILES_BYTES, MAX_MEMORY_LIMIT_BYTES, MAX_MODULE_BYTES, MAX_STDIN_BYTES,
  MAX_TASK_FILES, MAX_TIMEOUT_MS, MIN_MEMORY_LIMIT_BYTES, MIN_TIMEOUT_MS, TASK_SEED_BYTES
} from '../../core/limits.ts'
import { formatTraceparent, parseTraceparent } from '../../core/tracing/index.ts'
import type { TraceContext } from '../../core/tracing/index.ts'
import { InvalidTaskMessageError } from './errors.ts'
import type { TaskOffer } from './pb/task.ts'

/** A task offer that passed every boundary check, with the hash as hex. */
export interface ValidOffer {
  taskId: string
  moduleHash: string
  moduleSize: number
  stdin: Uint8Array<ArrayBuffer>
  args: string[]
  env: Array<[string, string]>
  files: Array<[string, Uint8Array<ArrayBuffer>]>
  seed: Uint8Array<ArrayBuffer>
  timeoutMs: number
  memoryLimitBytes: number
  fuel: number
  /** The most the submitter will pay for the run, in micro-units; 0 admits only free executors. */
  maxTotalPrice: number
  /** The submitter's span the executor's spans hang under (W3C Trace Context); absent when the task is not traced. */
  traceparent?: TraceContext
}

const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/
const utf8 = new TextEncoder()
const byteLength = (text: string): number => utf8.encode(text).byteLength

/**
 * Checks an offer against the protocol's schema and limits, on either side of
 * the wire. Numbers are integers on the wire, so a fraction or NaN accepted
 * here would reach the executor changed, and its receipt would not match.
 */
export function validateOffer (offer: TaskOffer): ValidOffer {
  if (!TASK_ID.test(offer.taskId)) {
    throw new InvalidTaskMessageError('taskId must be 1–64 characters of [A-Za-z0-9_-]')
  }
  if (offer.moduleHash.byteLength !== 32) {
    throw new InvalidTaskMessageError(offer.moduleHash.byteLength === 0
      ? 'the module hash is missing'
      : `the module hash must be 32 bytes (SHA-256), got ${offer.moduleHash.byteLength}`)
  }
  checkInteger('the module size', offer.moduleSize, 1, MAX_MODULE_BYTES, 'bytes')
  if (offer.stdin.byteLength > MAX_STDIN_BYTES) {
    throw new InvalidTaskMessageError(`stdin is ${offer.stdin.byteLength} bytes; the limit is ${MAX_STDIN_BYTES}`)
  }
  const env = offer.env.map(({ name, value }): [string, string] => [name, value])
  checkArgsAndEnv(offer.args, env)
  const files = checkFiles(offer.files.map(({ path, data }): [string, Uint8Array<ArrayBuffer>] => [path, data]))
  if (offer.seed.byteLength !== TASK_SEED_BYTES) {
    throw new InvalidTaskMessageError(`the seed must be ${TASK_SEED_BYTES} bytes, got ${offer.seed.byteLength}`)
  }
  checkInteger('the timeout', offer.timeoutMs, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, 'ms')
  checkInteger('the memory limit', offer.memoryLimitBytes, MIN_MEMORY_LIMIT_BYTES, MAX_MEMORY_LIMIT_BYTES, 'bytes')
  if (offer.fuel < 0n || offer.fuel > BigInt(MAX_FUEL)) {
    throw new InvalidTaskMessageError(`the fuel budget must be 0–${MAX_FUEL}, got ${offer.fuel}`)
  }
  // A safe integer, as the receipt's price.maxTotalPrice must be (docs/receipt-format.md §3).
  if (typeof offer.maxTotalPrice !== 'bigint' || offer.maxTotalPrice < 0n || offer.maxTotalPrice > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidTaskMessageError(`the budget must be 0–${Number.MAX_SAFE_INTEGER} micro-units, got ${String(offer.maxTotalPrice)}`)
  }
  let traceparent: TraceContext | undefined
  if (offer.traceparent !== undefined) {
    try {
      traceparent = parseTraceparent(offer.traceparent)
    } catch (err) {
      throw new InvalidTaskMessageError(`the traceparent is malformed: ${(err as Error).message}`)
    }
  }
  return {
    taskId: offer.taskId,
    moduleHash: bytesToHex(offer.moduleHash),
    moduleSize: offer.moduleSize,
    stdin: offer.stdin,
    args: offer.args,
    env,
    files,
    seed: offer.seed,
    timeoutMs: offer.timeoutMs,
    memoryLimitBytes: offer.memoryLimitBytes,
    fuel: Number(offer.fuel),
    maxTotalPrice: Number(offer.maxTotalPrice),
    ...(traceparent === undefined ? {} : { traceparent })
  }
}

export function toWireOffer (offer: ValidOffer): TaskOffer {
  const { traceparent, ...rest } = offer
  return {
    ...rest,
    ...(traceparent === undefined ? {} : { traceparent: formatTraceparent(traceparent) }),
    moduleHash: hexToBytes(offer.moduleHash),
    env: offer.env.map(([name, value]) => ({ name, value })),
    files: offer.files.map(([path, data]) => ({ path, data })),
    fuel: BigInt(offer.fuel),
    maxTotalPrice: BigInt(offer.maxTotalPrice)
  }
}

function checkInteger (what: string, value: number, min: number, max: number, unit: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidTaskMessageError(`${what} must be a whole number of ${unit} from ${min} to ${max}, got ${value}`)
  }
}

function checkArgsAndEnv (args: string[], env: Array<[string, string]>): void {
  if (args.length > MAX_ARGS) {
    throw new InvalidTaskMessageError(`${args.length} args; the limit is ${MAX_ARGS}`)
  }
  const argBytes = args.map(byteLength)
  const longArg = argBytes.findIndex(bytes => bytes > MAX_ARG_BYTES)
  if (longArg !== -1) {
    throw new InvalidTaskMessageError(`arg ${longArg} is longer than ${MAX_ARG_BYTES} bytes of UTF-8`)
  }
  if (env.length > MAX_ENV_ENTRIES) {
    throw new InvalidTaskMessageError(`${env.length} environment variables; the limit is ${MAX_ENV_ENTRIES}`)
  }
  let total = argBytes.reduce((sum, bytes) => sum + bytes, 0)
  for (const [name, value] of env) {
    const nameBytes = byteLength(name)
    if (nameBytes === 0 || nameBytes > MAX_ENV_NAME_BYTES || name.includes('=')) {
      throw new InvalidTaskMessageError(`environment variable name "${name.slice(0, 40)}" must be 1–${MAX_ENV_NAME_BYTES} bytes without "="`)
    }
    const valueBytes = byteLength(value)
    if (valueBytes > MAX_ENV_VALUE_BYTES) {
      throw new InvalidTaskMessageError(`the value of ${name} is longer than ${MAX_ENV_VALUE_BYTES} bytes of UTF-8`)
    }
    total += nameBytes + valueBytes
  }
  // WASI hands args and environment to the module as NUL-terminated strings.
  if ([...args, ...env.flat()].some(text => text.includes('\0'))) {
    throw new InvalidTaskMessageError('args and environment may not contain NUL characters')
  }
  if (total > MAX_ARGS_AND_ENV_BYTES) {
    throw new InvalidTaskMessageError(`args and environment together are longer than ${MAX_ARGS_AND_ENV_BYTES} bytes of UTF-8`)
  }
}

/** Relative '/'-separated paths inside the preopened directory, each named once, within the count and size limits; InvalidTaskMessageError otherwise. */
export function checkFiles (files: Array<[string, Uint8Array<ArrayBuffer>]>): Array<[string, Uint8Array<ArrayBuffer>]> {
  if (files.length > MAX_TASK_FILES) {
    throw new InvalidTaskMessageError(`${files.length} input files; the limit is ${MAX_TASK_FILES}`)
  }
  const seen = new Set<string>()
  let total = 0
  for (const [path, data] of files) {
    const segments = path.split('/')
    if (byteLength(path) > MAX_FILE_PATH_BYTES || segments.some(s => s === '' || s === '.' || s === '..' || s.includes('\0'))) {
      throw new InvalidTaskMessageError(`input file path "${path.slice(0, 80)}" must be relative, '/'-separated, without "." or ".." and at most ${MAX_FILE_PATH_BYTES} bytes`)
    }
    if (seen.has(path)) throw new InvalidTaskMessageError(`input file "${path}" is given twice`)
    seen.add(path)
    total += data.byteLength
  }
  if (total > MAX_INPUT_FILES_BYTES) {
    throw new InvalidTaskMessageError(`input files total ${total} bytes; the limit is ${MAX_INPUT_FILES_BYTES}`)
  }
  return files
}
