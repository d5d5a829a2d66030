import { nameError } from '../../core/errors.ts'

/** A member did not sign the guild it was invited to: it declined, or could not be reached. `member` names it. */
export class GuildInviteDeclinedError extends Error {
  static { nameError(this, 'GuildInviteDeclinedError') }
  readonly member: string

  constructor (member: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.member = member
  }
}

/** The lead asked does not bid: not a member, not this guild, or no quote within the budget. */
export class GuildBidDeclinedError extends Error {
  static { nameError(this, 'GuildBidDeclinedError') }
}

/** A guild bid request is malformed or out of its limits; `field` names the first bad member. */
export class InvalidGuildBidRequestError extends Error {
  static { nameError(this, 'InvalidGuildBidRequestError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`${field}: ${message}`)
    this.field = field
  }
}

/** A guild protocol request of a type this peer does not serve. */
export class UnknownGuildRequestError extends Error {
  static { nameError(this, 'UnknownGuildRequestError') }
}
