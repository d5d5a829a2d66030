/**
 * The requests of /zerostate/payment/1.0.0, each answered by `{ state }` (a
 * co-signed state) or an error: open a channel, pay for a receipt, pay for
 * several receipts with one state, refund one with evidence, pay a split
 * share, ask for the newest state, close. Only their shape is checked
 * here; the signed contents are checked by the handler that takes them.
 */
import { readSignedState } from '../channel/index.ts'
import type { SignedChannelState } from '../channel/index.ts'
import { parseReceipt } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { Attestation } from '../../receipts/attestation/index.ts'
import { MAX_RECEIPTS_PER_STATE } from '../channel/index.ts'
import { MAX_REFUND_EVIDENCE } from './constants.ts'
import { InvalidPaymentMessageError } from './errors.ts'
import { parseTraceparent } from '../../core/tracing/index.ts'

export type Request =
  | { type: 'open', state: SignedChannelState }
  /** `traceparent`: the payer's `pay` span (W3C Trace Context), for the payee's span of the co-signing (docs/tracing.md §2). */
  | { type: 'pay', state: SignedChannelState, receipt: Receipt, traceparent?: string }
  /**
   * One state (`paysForBatch`) paying for each receipt of `payments`, in the
   * state's order; each with its task's `pay` span when traced.
   */
  | { type: 'pay-batch', state: SignedChannelState, payments: BatchedPayment[] }
  | { type: 'refund', state: SignedChannelState, receipt: Receipt, attestations: Attestation[] }
  | { type: 'sync', channelId: string }
  | { type: 'close', state: SignedChannelState }
  /** A member's share under a split record the payer signed; the payee verifies and recomputes `record`. */
  | { type: 'share', state: SignedChannelState, record: unknown }

/** One receipt of a `pay-batch` request, with the traceparent of its task's `pay` span when traced. */
export interface BatchedPayment {
  receipt: Receipt
  traceparent?: string
}

function readTraceparent (value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new InvalidPaymentMessageError('traceparent is a W3C traceparent string when present')
  try {
    parseTraceparent(value)
  } catch (err) {
    throw new InvalidPaymentMessageError(`traceparent: ${(err as Error).message}`)
  }
  return value
}

/** Checks a request's shape; the signed contents are checked by the handler that takes it. */
export function readRequest (value: unknown): Request {
  if (typeof value !== 'object' || value === null) throw new InvalidPaymentMessageError('a request is a JSON object')
  const request = value as Record<string, unknown>
  switch (request.type) {
    case 'open':
    case 'close':
      return { type: request.type, state: readSignedState(request.state) }
    case 'pay': {
      const pay = { type: 'pay' as const, state: readSignedState(request.state), receipt: parseReceipt(request.receipt) }
      const traceparent = readTraceparent(request.traceparent)
      return traceparent === undefined ? pay : { ...pay, traceparent }
    }
    case 'pay-batch': {
      const { payments } = request
      if (!Array.isArray(payments) || payments.length < 2 || payments.length > MAX_RECEIPTS_PER_STATE) {
        throw new InvalidPaymentMessageError(`payments must be an array of 2–${MAX_RECEIPTS_PER_STATE}`)
      }
      return {
        type: 'pay-batch',
        state: readSignedState(request.state),
        payments: payments.map((value: unknown) => {
          if (typeof value !== 'object' || value === null) throw new InvalidPaymentMessageError('each payment of a batch is an object')
          const entry = value as Record<string, unknown>
          const traceparent = readTraceparent(entry.traceparent)
          return { receipt: parseReceipt(entry.receipt), ...(traceparent === undefined ? {} : { traceparent }) }
        })
      }
    }
    case 'refund': {
      if (!Array.isArray(request.attestations) || request.attestations.length > MAX_REFUND_EVIDENCE) {
        throw new InvalidPaymentMessageError(`attestations must be an array of at most ${MAX_REFUND_EVIDENCE}`)
      }
      return { type: 'refund', state: readSignedState(request.state), receipt: parseReceipt(request.receipt), attestations: request.attestations as Attestation[] }
    }
    case 'share':
      return { type: 'share', state: readSignedState(request.state), record: request.record }
    case 'sync':
      if (typeof request.channelId !== 'string' || request.channelId.length > 64) throw new InvalidPaymentMessageError('sync names a channelId')
      return { type: 'sync', channelId: request.channelId }
    default:
      throw new InvalidPaymentMessageError(`unknown request type ${String(request.type)}`)
  }
}
