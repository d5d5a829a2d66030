/**
 * The client of the payment protocol: sends one request to a peer, on the
 * stream it keeps to it (payment-stream.ts) or, to a payee that does not
 * serve one, on a fresh stream (network/json-exchange.ts), and reads the
 * signed state it is answered with. Whether that state is the one proposed is for the caller.
 */
import type { AbortOptions, Connection } from '@libp2p/interface'
import { RemoteRequestError, requestJson } from '../../network/json-exchange.ts'
import { readSignedState } from '../channel/index.ts'
import type { SignedChannelState } from '../channel/index.ts'
import { MAX_PAYMENT_MESSAGE_BYTES, PAYMENT_PROTOCOL } from './constants.ts'
import { InvalidPaymentMessageError, PaymentNotAcknowledgedError } from './errors.ts'
import type { Request } from './messages.ts'
import { PaymentStreams } from './payment-stream.ts'

/** What the client dials with: PaymentChannelsComponents is one. */
export interface PaymentDialer {
  /** A connection to `peer`, dialling it if needed. */
  connectionTo(peer: string, options: AbortOptions): Promise<Connection>
}

export class PaymentClient {
  private readonly dialer: PaymentDialer
  private readonly streams = new PaymentStreams()

  constructor (dialer: PaymentDialer) {
    this.dialer = dialer
  }

  /**
   * Sends `request` to `peer` and resolves with the signed state it is
   * answered with. A pay (one or a batch), refund or share whose answer never came rejects with
   * PaymentNotAcknowledgedError (it stays pending), one refused by the payee
   * with its RemoteRequestError.
   */
  async send (peer: string, request: Request, options: AbortOptions): Promise<SignedChannelState> {
    let answer: unknown
    try {
      const connection = await this.dialer.connectionTo(peer, options)
      // On the payee's stream when it serves one (payment-stream.ts), else on a stream of its own, as before.
      const streamed = await this.streams.exchange(peer, connection, request, options)
      answer = streamed !== undefined
        ? streamed.answer
        : await requestJson(connection, PAYMENT_PROTOCOL, request, { ...options, maxBytes: MAX_PAYMENT_MESSAGE_BYTES })
    } catch (err) {
      if (request.type === 'pay' || request.type === 'pay-batch' || request.type === 'refund' || request.type === 'share') {
        if (err instanceof Error && err.name === RemoteRequestError.name) throw err
        throw new PaymentNotAcknowledgedError(`${peer} did not acknowledge ${describe(request)}; it stays pending`, { cause: err })
      }
      throw err
    }
    if (typeof answer !== 'object' || answer === null) throw new InvalidPaymentMessageError('the answer is not an object')
    return readSignedState((answer as { state?: unknown }).state)
  }

  /** Closes the streams kept to payees. */
  stop (): void {
    this.streams.closeAll()
  }
}

function describe (request: Extract<Request, { type: 'pay' | 'pay-batch' | 'refund' | 'share' }>): string {
  switch (request.type) {
    case 'share': return 'a split share'
    case 'pay-batch': return `the payment for ${request.payments.length} receipts (${request.payments.map(p => p.receipt.taskId).join(', ')})`
    default: return `the ${request.type} for ${request.receipt.taskId}`
  }
}
