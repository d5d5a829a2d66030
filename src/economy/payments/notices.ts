/**
 * What peers publish about closing channels, on /zerostate/settlements/1.0.0:
 * a settlement record once a channel is settled, and — for a unilateral
 * close — the closing record, first from the closer (its newest co-signed
 * state and when challenges end) and then from the other party if it
 * challenges with a later co-signed state. Every state inside is checked
 * (both signatures, invariants) before anything else is read.
 */
import { isCanonicalEd25519PeerId } from '../../crypto/index.ts'
import { readSignedState, verifySettlement, verifyState } from '../channel/index.ts'
import type { ClosingChannel, Settlement } from '../channel/index.ts'
import { InvalidPaymentMessageError } from './errors.ts'

export type ChannelNotice =
  | { type: 'settlement', settlement: Settlement }
  | { type: 'closing', closing: ClosingChannel }

/** Largest notice on the wire: a record holding one co-signed state and a signature, well under this. */
export const MAX_CHANNEL_NOTICE_BYTES = 8 * 1024

/** Checks a notice from the mesh; throws InvalidPaymentMessageError (or the channel's own errors) on anything else. */
export function readNotice (value: unknown): ChannelNotice {
  if (typeof value !== 'object' || value === null) throw new InvalidPaymentMessageError('a notice is a JSON object')
  const notice = value as Record<string, unknown>
  if (notice.type === 'settlement') {
    const settlement = notice.settlement as Settlement
    verifySettlement(settlement)
    const { channelId, mode, settledAt, by, publicKey, signature } = settlement
    return { type: 'settlement', settlement: { channelId, finalState: readSignedState(settlement.finalState), mode, settledAt, by, publicKey, signature } }
  }
  if (notice.type === 'closing') return { type: 'closing', closing: readClosing(notice.closing) }
  throw new InvalidPaymentMessageError(`unknown notice type ${String(notice.type)}`)
}

function readClosing (value: unknown): ClosingChannel {
  if (typeof value !== 'object' || value === null) throw new InvalidPaymentMessageError('closing must be an object')
  const record = value as Record<string, unknown>
  const state = readSignedState(record.state)
  verifyState(state)
  const { channelId, closer, startedAt, challengeEndsAt } = record
  if (channelId !== state.state.channelId) throw new InvalidPaymentMessageError('closing.channelId is not its state\'s channel')
  if (typeof closer !== 'string' || !isCanonicalEd25519PeerId(closer) || (closer !== state.state.a && closer !== state.state.b)) {
    throw new InvalidPaymentMessageError('closing.closer must be a party of the channel')
  }
  for (const [name, time] of [['startedAt', startedAt], ['challengeEndsAt', challengeEndsAt]] as const) {
    if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) throw new InvalidPaymentMessageError(`closing.${name} must be a non-negative integer`)
  }
  if ((challengeEndsAt as number) <= (startedAt as number)) throw new InvalidPaymentMessageError('closing.challengeEndsAt must follow startedAt')
  return { channelId, state, closer, startedAt: startedAt as number, challengeEndsAt: challengeEndsAt as number }
}
