/** The ways an Agent Card can fail to be signed, parsed or verified; callers tell them apart by `name`. */

import { nameError } from '../core/errors.ts'

/**
 * Thrown when a value is not a well-formed version 1 Agent Card; `field`
 * names the first offending field, with a path for nested ones
 * (`prices.perSecond`, `skills[1].tags[0]`).
 */
export class InvalidAgentCardError extends Error {
  static { nameError(this, 'InvalidAgentCardError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`agent card field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a card's canonical form is longer than MAX_AGENT_CARD_BYTES. */
export class AgentCardTooLargeError extends Error {
  static { nameError(this, 'AgentCardTooLargeError') }
}

/** Thrown when a card's signature does not verify under its `publicKey`. */
export class AgentCardSignatureError extends Error {
  static { nameError(this, 'AgentCardSignatureError') }
}

/**
 * Thrown when a card's `publicKey` is not the key embedded in its `peerId`,
 * or when asked to sign a card naming a key or PeerId other than the signing identity.
 */
export class AgentCardKeyMismatchError extends Error {
  static { nameError(this, 'AgentCardKeyMismatchError') }
}

/** Thrown when a card arrives from a gossip sender other than the peer it describes. */
export class AgentCardSenderMismatchError extends Error {
  static { nameError(this, 'AgentCardSenderMismatchError') }
}

/** Thrown when a card's `capabilityVector` is not the one its own fields produce. */
export class AgentCardVectorMismatchError extends Error {
  static { nameError(this, 'AgentCardVectorMismatchError') }
}

/** Thrown when a card's `expiresAt` has passed. */
export class AgentCardExpiredError extends Error {
  static { nameError(this, 'AgentCardExpiredError') }
}

/** Thrown when a card's `issuedAt` is further in the future than MAX_AGENT_CARD_CLOCK_SKEW_MS allows. */
export class AgentCardNotYetValidError extends Error {
  static { nameError(this, 'AgentCardNotYetValidError') }
}

/** Thrown (as an outcome's `error`) when a peer sends more cards in a minute than allowed. */
export class AgentCardFloodError extends Error {
  static { nameError(this, 'AgentCardFloodError') }
}

/** Thrown (as an outcome's `error`) when a card's sequence is not above the one held for its peer. */
export class AgentCardReplayError extends Error {
  static { nameError(this, 'AgentCardReplayError') }
}

/** Thrown (as an outcome's `error`) when the cache is full and every held card outlives the new one. */
export class AgentCardCapacityError extends Error {
  static { nameError(this, 'AgentCardCapacityError') }
}
