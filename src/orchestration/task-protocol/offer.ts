import { hexToBytes, bytesToHex } from '../../core/encoding.ts'
import {
  MAX_ARGS, MAX_ARG_BYTES, MAX_ARGS_TOTAL_BYTES, MAX_MEMORY_LIMIT_BYTES, MAX_MODULE_BYTES, MAX_STDIN_BYTES,
  MAX_TIMEOUT_MS, MIN_TIMEOUT_MS
} from '../../network/constants.ts'
import { InvalidTaskMessageError } from './errors.ts'
import type { TaskOffer } from './task.ts'

/** A task offer that passed every boundary check, with the hash as hex. */
export interface ValidOffer {
  taskId: string
  moduleHash: string
  moduleSize: number
  stdin: Uint8Array<ArrayBuffer>
  args: string[]
  timeoutMs: number
  memoryLimitBytes: number
}

const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/
const utf8 = new TextEncoder()

/**
 * Checks an offer against the protocol's schema and limits, on either side of the wire.
 * The numbers are uint32 on the wire, so a fraction or NaN accepted here would
 * reach the executor changed, and its receipt would not match the offer.
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
  if (!Number.isInteger(offer.moduleSize) || offer.moduleSize < 1 || offer.moduleSize > MAX_MODULE_BYTES) {
    throw new InvalidTaskMessageError(`the module size must be 1–${MAX_MODULE_BYTES} bytes, got ${offer.moduleSize}`)
  }
  if (offer.stdin.byteLength > MAX_STDIN_BYTES) {
    throw new InvalidTaskMessageError(`stdin is ${offer.stdin.byteLength} bytes; the limit is ${MAX_STDIN_BYTES}`)
  }
  if (offer.args.length > MAX_ARGS) {
    throw new InvalidTaskMessageError(`${offer.args.length} args; the limit is ${MAX_ARGS}`)
  }
  const argBytes = offer.args.map(arg => utf8.encode(arg).byteLength)
  const longArg = argBytes.findIndex(bytes => bytes > MAX_ARG_BYTES)
  if (longArg !== -1) {
    throw new InvalidTaskMessageError(`arg ${longArg} is longer than ${MAX_ARG_BYTES} bytes of UTF-8`)
  }
  if (argBytes.reduce((sum, bytes) => sum + bytes, 0) > MAX_ARGS_TOTAL_BYTES) {
    throw new InvalidTaskMessageError(`the args together are longer than ${MAX_ARGS_TOTAL_BYTES} bytes of UTF-8`)
  }
  if (!Number.isInteger(offer.timeoutMs) || offer.timeoutMs < MIN_TIMEOUT_MS || offer.timeoutMs > MAX_TIMEOUT_MS) {
    throw new InvalidTaskMessageError(`the timeout must be ${MIN_TIMEOUT_MS}–${MAX_TIMEOUT_MS} ms, got ${offer.timeoutMs}`)
  }
  if (!Number.isInteger(offer.memoryLimitBytes) || offer.memoryLimitBytes < 65536 || offer.memoryLimitBytes > MAX_MEMORY_LIMIT_BYTES) {
    throw new InvalidTaskMessageError(`the memory limit must be 64 KiB–${MAX_MEMORY_LIMIT_BYTES} bytes, got ${offer.memoryLimitBytes}`)
  }
  return {
    taskId: offer.taskId,
    moduleHash: bytesToHex(offer.moduleHash),
    moduleSize: offer.moduleSize,
    stdin: offer.stdin,
    args: offer.args,
    timeoutMs: offer.timeoutMs,
    memoryLimitBytes: offer.memoryLimitBytes
  }
}

export function toWireOffer (offer: ValidOffer): TaskOffer {
  return { ...offer, moduleHash: hexToBytes(offer.moduleHash) }
}
