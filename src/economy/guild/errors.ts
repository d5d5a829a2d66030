/** The ways a guild, a guild bid or a workflow award can be refused; callers and tests tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'

/** Thrown when a value is not a well-formed guild record; `field` names the first bad field (`members.2.roles`). */
export class InvalidGuildError extends Error {
  static { nameError(this, 'InvalidGuildError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`guild field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a guild record is longer in canonical form than MAX_GUILD_BYTES. */
export class GuildTooLargeError extends Error {
  static { nameError(this, 'GuildTooLargeError') }
}

/**
 * Thrown when a member's signature is missing, out of place, or does not
 * verify; or its key is not the one inside its PeerId; or when asked to sign
 * as someone who is not a member. `member` is the member's PeerId and `field`
 * the place of its entry (`signatures.1`).
 */
export class GuildSignatureError extends Error {
  static { nameError(this, 'GuildSignatureError') }
  readonly field: string
  readonly member: string

  constructor (field: string, member: string, message: string) {
    super(message)
    this.field = field
    this.member = member
  }
}

/** Thrown when a guild is used at or after its `expiresAt`, or a bid is dated outside the guild's life. */
export class GuildExpiredError extends Error {
  static { nameError(this, 'GuildExpiredError') }
}

/** Thrown when a guild's `createdAt` is further ahead of the verifier's clock than MAX_GUILD_CLOCK_SKEW_MS. */
export class GuildNotYetValidError extends Error {
  static { nameError(this, 'GuildNotYetValidError') }
}

/** Thrown when a value is not a well-formed guild bid; `field` names the first bad field (`steps.0.price`). */
export class InvalidGuildBidError extends Error {
  static { nameError(this, 'InvalidGuildBidError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`guild bid field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a guild bid is longer in canonical form than MAX_GUILD_BID_BYTES. */
export class GuildBidTooLargeError extends Error {
  static { nameError(this, 'GuildBidTooLargeError') }
}

/** Thrown when a guild bid's `publicKey` is not its lead's, or when asked to sign as someone other than the lead. */
export class GuildBidKeyMismatchError extends Error {
  static { nameError(this, 'GuildBidKeyMismatchError') }
}

/** Thrown when a guild bid's signature does not verify: forged, or altered after signing. */
export class GuildBidSignatureError extends Error {
  static { nameError(this, 'GuildBidSignatureError') }
}

/** Thrown when a guild bid names another guild (id or hash) than the one it is checked against. */
export class GuildBidMismatchError extends Error {
  static { nameError(this, 'GuildBidMismatchError') }
}

/**
 * Thrown when a guild bid's lead, or the member a step is given to, is not a
 * member of the guild, or that member cannot fill the step's role. `member`
 * is the PeerId, `field` where it is named (`lead`, `steps.2.member`).
 */
export class GuildMemberError extends Error {
  static { nameError(this, 'GuildMemberError') }
  readonly field: string
  readonly member: string

  constructor (field: string, member: string, message: string) {
    super(message)
    this.field = field
    this.member = member
  }
}

/** Thrown when the inputs of a workflow award or re-award are malformed; `field` names the first bad one. */
export class InvalidWorkflowAwardError extends Error {
  static { nameError(this, 'InvalidWorkflowAwardError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`workflow award ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a step left by a departed member has no eligible per-step offer to go to; `step` names it. */
export class NoReplacementError extends Error {
  static { nameError(this, 'NoReplacementError') }
  readonly step: string

  constructor (step: string, message: string) {
    super(message)
    this.step = step
  }
}

/** Every refusal of a guild or a guild bid: an award leaves out an offer that throws one of these. */
export const GUILD_REFUSALS = [
  InvalidGuildError, GuildTooLargeError, GuildSignatureError, GuildExpiredError, GuildNotYetValidError, InvalidGuildBidError,
  GuildBidTooLargeError, GuildBidKeyMismatchError, GuildBidSignatureError, GuildBidMismatchError, GuildMemberError
] as const
