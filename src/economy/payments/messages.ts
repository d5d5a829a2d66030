/**
 * The requests of /zerostate/payment/1.0.0, each answered by `{ state }` (a
 * co-signed state) or an error: open a channel, pay for a receipt, refund one
 * with evidence, pay a split share, ask for the newest state, close. Only their shape is checked
 * here; the signed contents are checked by the handler that takes them.
 */
import { readSignedState } from '../channel/index.ts'
import type { SignedChannelState } from '../channel/index.ts'
import { parseReceipt } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { Attestation } from '../../receipts/attestation/index.ts'
import { MAX_REFUND_EVIDENCE } from './constants.ts'
import { InvalidPaymentMessageError } from './errors.ts'
import { parseTraceparent } from '../../core/tracing/index.ts'

export type Request =
  | { type: 'open', state: SignedChannelState }
  /** `traceparent`: the payer's `pay` span (W3C Trace Context), for the payee's span of the co-signing (docs/tracing.md §2). */
  | { type: 'pay', state: SignedChannelState, receipt: Receipt, traceparent?: string }
  | { type: 'refund', state: SignedChannelState, receipt: Receipt, attestations: Attestation[] }
  | { type: 'sync', channelId: string }
  | { type: 'close', state: SignedChannelState }
  /** A member's share under a split record the payer signed; the payee verifies and recomputes `record`. */
  | { type: 'share', state: SignedChannelState, record: unknown }

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
      if (request.traceparent === undefined) return pay
      if (typeof request.traceparent !== 'string') throw new InvalidPaymentMessageError('traceparent is a W3C traceparent string when present')
      try {
        parseTraceparent(request.traceparent)
      } catch (err) {
        throw new InvalidPaymentMessageError(`traceparent: ${(err as Error).message}`)
      }
      return { ...pay, traceparent: request.traceparent }
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
