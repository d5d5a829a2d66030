/**
 * The client of /zerostate/payment/1.0.0: sends one request to a peer on a
 * fresh stream (network/json-exchange.ts) and reads the signed state it is
 * answered with. Whether that state is the one proposed is for the caller.
 */
import type { AbortOptions, Connection } from '@libp2p/interface'
import { RemoteRequestError, requestJson } from '../../network/json-exchange.ts'
import { readSignedState } from '../channel/index.ts'
import type { SignedChannelState } from '../channel/index.ts'
import { MAX_PAYMENT_MESSAGE_BYTES, PAYMENT_PROTOCOL } from './constants.ts'
import { InvalidPaymentMessageError, PaymentNotAcknowledgedError } from './errors.ts'
import type { Request } from './messages.ts'

/** What the client dials with: PaymentChannelsComponents is one. */
export interface PaymentDialer {
  /** A connection to `peer`, dialling it if needed. */
  connectionTo(peer: string, options: AbortOptions): Promise<Connection>
}

export class PaymentClient {
  private readonly dialer: PaymentDialer

  constructor (dialer: PaymentDialer) {
    this.dialer = dialer
  }

  /**
   * Sends `request` to `peer` and resolves with the signed state it is
   * answered with. A pay, refund or share whose answer never came rejects with
   * PaymentNotAcknowledgedError (it stays pending), one refused by the payee
   * with its RemoteRequestError.
   */
  async send (peer: string, request: Request, options: AbortOptions): Promise<SignedChannelState> {
    let answer: unknown
    try {
      const connection = await this.dialer.connectionTo(peer, options)
      answer = await requestJson(connection, PAYMENT_PROTOCOL, request, { ...options, maxBytes: MAX_PAYMENT_MESSAGE_BYTES })
    } catch (err) {
      if (request.type === 'pay' || request.type === 'refund' || request.type === 'share') {
        if (err instanceof Error && err.name === RemoteRequestError.name) throw err
        const what = request.type === 'share' ? 'a split share' : `the ${request.type} for ${request.receipt.taskId}`
        throw new PaymentNotAcknowledgedError(`${peer} did not acknowledge ${what}; it stays pending`, { cause: err })
      }
      throw err
    }
    if (typeof answer !== 'object' || answer === null) throw new InvalidPaymentMessageError('the answer is not an object')
    return readSignedState((answer as { state?: unknown }).state)
  }
}
