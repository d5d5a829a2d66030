/** The receipt format's types (version 3, docs/receipt-format.md). */
import type { RECEIPT_VERSION, ReceiptStatus } from './constants.ts'
import type { PriceSchedule } from './pricing/index.ts'

/** The limits a run was given. */
export interface ReceiptLimits {
  /** Wall-clock limit in milliseconds; at least 1. */
  timeoutMs: number
  /** Upper bound on the module's linear memory in bytes; at least 65536 (one page). */
  memoryBytes: number
  /** Fuel budget: the run ends with `out-of-fuel` when it needs more. */
  fuel: number
}

/**
 * The executor's prices when it accepted the task, the task's budget, and
 * what the run costs under them; micro-units. `charge` is always
 * `chargeFor(prices, resources used, maxTotalPrice)`, so never above the budget.
 */
export interface ReceiptPrice extends PriceSchedule {
  /** The most the submitter agreed to pay (the task offer's maxTotalPrice). */
  maxTotalPrice: number
  /** What the submitter owes for this run. */
  charge: number
}

/** Every field of a receipt except its signature: exactly the bytes that are signed. */
export interface UnsignedReceipt {
  version: typeof RECEIPT_VERSION
  /** Chosen by the submitter; 1–64 characters of [A-Za-z0-9_-]. */
  taskId: string
  /** Lowercase hex SHA-256 of the WebAssembly module bytes. */
  moduleHash: string
  /** Lowercase hex SHA-256 of the bytes given as stdin. */
  inputHash: string
  /** Lowercase hex SHA-256 of everything written to stdout. */
  outputHash: string
  /** Lowercase hex SHA-256 of everything written to stderr. */
  stderrHash: string
  /** argv[1..] as given to the module. */
  args: string[]
  /** The module's whole environment, in the order it was given: [name, value] pairs. */
  env: Array<[string, string]>
  /** base64url (no padding) of the 32-byte determinism seed; the clock and random bytes derive from it. */
  seed: string
  /** `filesHash` of the preopened directory's files before the run. */
  inputFilesHash: string
  /** `filesHash` of the preopened directory's files after the run. */
  outputFilesHash: string
  status: ReceiptStatus
  /** 0 when `status` is `ok`, non-zero when `exit`, null for every other status. */
  exitCode: number | null
  /** Unix epoch milliseconds when the run started. */
  startedAt: number
  durationMs: number
  limits: ReceiptLimits
  /** Fuel consumed, at most `limits.fuel`; null only on `timeout`, when the worker was killed before it could be read. */
  fuelUsed: number | null
  /** Largest size the module's linear memory reached, in bytes. */
  memoryPeakBytes: number
  price: ReceiptPrice
  /** PeerId (base58btc, `12D3KooW…`) of the peer that ran the task and signs the receipt. */
  executor: string
  /** PeerId of the peer that asked for the task. */
  submitter: string
  /** The executor's raw 32-byte Ed25519 public key, base64url without padding. */
  publicKey: string
  /**
   * Optional: the W3C Trace Context trace id (32 lowercase hex digits) of the
   * trace the task's offer carried, so a trace and its receipt can be joined
   * (docs/tracing.md). Absent when the task was not traced.
   */
  traceId?: string
}

export interface Receipt extends UnsignedReceipt {
  /** base64url (no padding) of the 64-byte Ed25519 signature over the canonical unsigned receipt. */
  signature: string
}

/** Fields a verifier may hold its own values for; each one given must equal the receipt's (as canonical JSON). */
export type ReceiptExpectations = Partial<Pick<UnsignedReceipt,
'taskId' | 'moduleHash' | 'inputHash' | 'outputHash' | 'stderrHash' | 'args' | 'env' | 'seed' |
'inputFilesHash' | 'outputFilesHash' | 'status' | 'exitCode' | 'limits' | 'executor' | 'submitter' | 'traceId'>>
