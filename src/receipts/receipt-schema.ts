/**
 * The version 3 receipt schema (docs/receipt-format.md §3): every check on an
 * untrusted value, each naming the field it concerns. A receipt that passes
 * is copied out member by member, so nothing else rides along into storage
 * or into the signed bytes.
 */
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, fieldCheckers } from '../crypto/index.ts'
import { isTraceId } from '../core/tracing/index.ts'
import { MAX_UNIT_PRICE, PRICE_SCHEDULE_FIELDS, chargeFor } from './pricing/index.ts'
import type { ResourceUse } from './pricing/index.ts'
import {
  MAX_RECEIPT_ARG_BYTES, MAX_RECEIPT_ARGS, MAX_RECEIPT_ARGS_AND_ENV_BYTES, MAX_RECEIPT_ENV_ENTRIES, MAX_RECEIPT_ENV_NAME_BYTES,
  MAX_RECEIPT_ENV_VALUE_BYTES, MAX_TASK_ID_LENGTH, MIN_RECEIPT_MEMORY_BYTES, RECEIPT_SEED_BYTES, RECEIPT_STATUSES, RECEIPT_VERSION
} from './constants.ts'
import type { ReceiptStatus } from './constants.ts'
import { InvalidReceiptError } from './errors.ts'
import type { Receipt, ReceiptLimits, ReceiptPrice, UnsignedReceipt } from './types.ts'

/** The signed members, in specification order (the order receiptToJson writes); `traceId` may be absent (OPTIONAL_FIELDS). */
export const UNSIGNED_FIELDS = [
  'version', 'taskId', 'moduleHash', 'inputHash', 'outputHash', 'stderrHash', 'args', 'env', 'seed',
  'inputFilesHash', 'outputFilesHash', 'status', 'exitCode', 'startedAt', 'durationMs', 'limits', 'fuelUsed',
  'memoryPeakBytes', 'price', 'executor', 'submitter', 'publicKey', 'traceId'
] as const satisfies ReadonlyArray<keyof UnsignedReceipt>

/**
 * Members a receipt may leave out. An absent one is not signed either
 * (crypto/signed-json canonicalSigningBytes), so a receipt without it is
 * byte for byte what it was before the member existed.
 */
export const OPTIONAL_FIELDS = ['traceId'] as const satisfies ReadonlyArray<keyof UnsignedReceipt>

export const RECEIPT_FIELDS = [...UNSIGNED_FIELDS, 'signature'] as const satisfies ReadonlyArray<keyof Receipt>

/** The members of `limits`, in specification order. */
export const LIMITS_FIELDS = ['timeoutMs', 'memoryBytes', 'fuel'] as const satisfies ReadonlyArray<keyof ReceiptLimits>

/** The members of `price`, in specification order: the schedule as Agent Cards list it, then the budget and the charge. */
export const PRICE_FIELDS = [...PRICE_SCHEDULE_FIELDS, 'maxTotalPrice', 'charge'] as const satisfies ReadonlyArray<keyof ReceiptPrice>

const { jsonObject, exactMembers, safeInteger, utf8Length, fixedBase64Url, peerId, hex256 } =
  fieldCheckers((field, message) => new InvalidReceiptError(field, message), 'a version 3 receipt')

const TASK_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_TASK_ID_LENGTH}}$`)

/**
 * Validates an unsigned receipt, or a signed one when `withSignature`, and
 * returns a copy holding exactly its fields. Checks run in specification
 * order, so the error names the first offending field.
 */
export function readFields (value: unknown, withSignature: boolean): Receipt | UnsignedReceipt {
  const record = jsonObject(value, '(root)')
  // Version first: a receipt of another version is reported as that, not by its first unfamiliar member.
  if (!Object.hasOwn(record, 'version')) throw new InvalidReceiptError('version', 'is missing')
  if (record.version !== RECEIPT_VERSION) {
    throw new InvalidReceiptError('version', `must be ${RECEIPT_VERSION}; no other version is accepted`)
  }
  exactMembers(record, withSignature ? RECEIPT_FIELDS : UNSIGNED_FIELDS, '', OPTIONAL_FIELDS)

  const taskId = record.taskId
  if (typeof taskId !== 'string' || !TASK_ID.test(taskId)) {
    throw new InvalidReceiptError('taskId', `must be 1 to ${MAX_TASK_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  }
  const moduleHash = hex256(record.moduleHash, 'moduleHash')
  const inputHash = hex256(record.inputHash, 'inputHash')
  const outputHash = hex256(record.outputHash, 'outputHash')
  const stderrHash = hex256(record.stderrHash, 'stderrHash')
  const { args, bytes: argsBytes } = readArgs(record.args)
  const { env, bytes: envBytes } = readEnv(record.env)
  if (argsBytes + envBytes > MAX_RECEIPT_ARGS_AND_ENV_BYTES) {
    throw new InvalidReceiptError('env', `args and env together must be at most ${MAX_RECEIPT_ARGS_AND_ENV_BYTES} bytes of UTF-8`)
  }
  const seed = fixedBase64Url(record.seed, 'seed', RECEIPT_SEED_BYTES)
  const inputFilesHash = hex256(record.inputFilesHash, 'inputFilesHash')
  const outputFilesHash = hex256(record.outputFilesHash, 'outputFilesHash')
  const status = readStatus(record.status)
  const exitCode = readExitCode(record.exitCode, status)
  const startedAt = safeInteger(record.startedAt, 'startedAt', 0)
  const durationMs = safeInteger(record.durationMs, 'durationMs', 0)
  const limits = readLimits(record.limits)
  const fuelUsed = readFuelUsed(record.fuelUsed, status, limits.fuel)
  const memoryPeakBytes = safeInteger(record.memoryPeakBytes, 'memoryPeakBytes', 0)
  const price = readPrice(record.price, { fuel: fuelUsed, durationMs, memoryBytes: memoryPeakBytes })

  const unsigned: UnsignedReceipt = {
    version: RECEIPT_VERSION,
    taskId,
    moduleHash,
    inputHash,
    outputHash,
    stderrHash,
    args,
    env,
    seed,
    inputFilesHash,
    outputFilesHash,
    status,
    exitCode,
    startedAt,
    durationMs,
    limits,
    fuelUsed,
    memoryPeakBytes,
    price,
    executor: peerId(record.executor, 'executor'),
    submitter: peerId(record.submitter, 'submitter'),
    publicKey: fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH),
    ...(Object.hasOwn(record, 'traceId') ? { traceId: readTraceId(record.traceId) } : {})
  }
  if (!withSignature) return unsigned
  return { ...unsigned, signature: fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

/** A W3C Trace Context trace id (docs/tracing.md): 32 lowercase hex digits, not all zero. */
function readTraceId (value: unknown): string {
  if (!isTraceId(value)) throw new InvalidReceiptError('traceId', 'must be 32 lowercase hex digits, not all zero (a W3C Trace Context trace id)')
  return value
}

function readArgs (value: unknown): { args: string[], bytes: number } {
  if (!Array.isArray(value)) throw new InvalidReceiptError('args', 'must be an array of strings')
  if (value.length > MAX_RECEIPT_ARGS) throw new InvalidReceiptError('args', `must have at most ${MAX_RECEIPT_ARGS} entries`)
  const args: string[] = []
  let bytes = 0
  for (const [i, arg] of (value as unknown[]).entries()) {
    bytes += utf8Length(arg, `args[${i}]`, 0, MAX_RECEIPT_ARG_BYTES, `must be at most ${MAX_RECEIPT_ARG_BYTES} bytes of UTF-8`)
    args.push(arg as string)
  }
  if (bytes > MAX_RECEIPT_ARGS_AND_ENV_BYTES) {
    throw new InvalidReceiptError('args', `must be at most ${MAX_RECEIPT_ARGS_AND_ENV_BYTES} bytes of UTF-8 together`)
  }
  return { args, bytes }
}

function readEnv (value: unknown): { env: Array<[string, string]>, bytes: number } {
  if (!Array.isArray(value)) throw new InvalidReceiptError('env', 'must be an array of [name, value] pairs')
  if (value.length > MAX_RECEIPT_ENV_ENTRIES) throw new InvalidReceiptError('env', `must have at most ${MAX_RECEIPT_ENV_ENTRIES} entries`)
  const env: Array<[string, string]> = []
  let bytes = 0
  for (const [i, entry] of (value as unknown[]).entries()) {
    if (!Array.isArray(entry) || entry.length !== 2) throw new InvalidReceiptError(`env[${i}]`, 'must be a [name, value] pair of strings')
    const [name, variable] = entry as [unknown, unknown]
    bytes += utf8Length(name, `env[${i}][0]`, 1, MAX_RECEIPT_ENV_NAME_BYTES)
    // The environment reaches the module as NAME=value strings (WASI preview1 environ_get).
    if ((name as string).includes('=')) throw new InvalidReceiptError(`env[${i}][0]`, 'must not contain "="')
    bytes += utf8Length(variable, `env[${i}][1]`, 0, MAX_RECEIPT_ENV_VALUE_BYTES, `must be at most ${MAX_RECEIPT_ENV_VALUE_BYTES} bytes of UTF-8`)
    env.push([name as string, variable as string])
  }
  return { env, bytes }
}

function readStatus (value: unknown): ReceiptStatus {
  if (!(RECEIPT_STATUSES as ReadonlyArray<unknown>).includes(value)) {
    throw new InvalidReceiptError('status', `must be one of ${RECEIPT_STATUSES.join(', ')}`)
  }
  return value as ReceiptStatus
}

/** An integer exactly when the module ended itself: 0 for `ok`, non-zero for `exit`; otherwise null. */
function readExitCode (value: unknown, status: ReceiptStatus): number | null {
  if (status === 'ok') {
    if (value !== 0) throw new InvalidReceiptError('exitCode', 'must be 0 when status is ok')
    return 0
  }
  if (status === 'exit') {
    const code = safeInteger(value, 'exitCode', Number.MIN_SAFE_INTEGER)
    if (code === 0) throw new InvalidReceiptError('exitCode', 'must not be 0 when status is exit')
    return code
  }
  if (value !== null) throw new InvalidReceiptError('exitCode', `must be null when status is ${status}`)
  return null
}

function readLimits (value: unknown): ReceiptLimits {
  const record = jsonObject(value, 'limits')
  exactMembers(record, LIMITS_FIELDS, 'limits.')
  return {
    timeoutMs: safeInteger(record.timeoutMs, 'limits.timeoutMs', 1),
    memoryBytes: safeInteger(record.memoryBytes, 'limits.memoryBytes', MIN_RECEIPT_MEMORY_BYTES),
    fuel: safeInteger(record.fuel, 'limits.fuel', 0)
  }
}

/**
 * The prices, budget and charge; the charge must be exactly what the prices
 * give for `used`, capped at the budget (receipts/pricing chargeFor), so a
 * receipt can never claim more than the submitter agreed to pay.
 */
function readPrice (value: unknown, used: ResourceUse): ReceiptPrice {
  const record = jsonObject(value, 'price')
  exactMembers(record, PRICE_FIELDS, 'price.')
  const schedule = {
    perMegaFuel: safeInteger(record.perMegaFuel, 'price.perMegaFuel', 0, MAX_UNIT_PRICE),
    perSecond: safeInteger(record.perSecond, 'price.perSecond', 0, MAX_UNIT_PRICE),
    perMb: safeInteger(record.perMb, 'price.perMb', 0, MAX_UNIT_PRICE)
  }
  const maxTotalPrice = safeInteger(record.maxTotalPrice, 'price.maxTotalPrice', 0)
  const charge = safeInteger(record.charge, 'price.charge', 0)
  const owed = chargeFor(schedule, used, maxTotalPrice)
  if (charge !== owed) {
    throw new InvalidReceiptError('price.charge', `must be ${owed}: the prices applied to fuelUsed, durationMs and memoryPeakBytes, capped at maxTotalPrice`)
  }
  return { ...schedule, maxTotalPrice, charge }
}

/** Null only for a timeout, where the worker is killed before the fuel counter can be read. */
function readFuelUsed (value: unknown, status: ReceiptStatus, fuel: number): number | null {
  if (value === null) {
    if (status !== 'timeout') throw new InvalidReceiptError('fuelUsed', 'may be null only when status is timeout')
    return null
  }
  const used = safeInteger(value, 'fuelUsed', 0)
  if (used > fuel) throw new InvalidReceiptError('fuelUsed', `must not exceed limits.fuel (${fuel})`)
  return used
}
