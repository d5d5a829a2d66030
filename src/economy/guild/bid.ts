/**
 * Guild bids (docs/guild.md §2): "guild `guildId` (exactly the signed record
 * `guildHash`) will run workflow run `runId` of spec `specHash` for `price`
 * micro-units in about `expectedMs`, step by step as `steps` says", signed by
 * the guild's lead member through crypto/signed-document.ts, like every
 * single-signer format.
 */
import {
  ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, fieldCheckers, parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument
} from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { canonicalize, sha256Hex, utf8ToBytes } from '../../core/index.ts'
import { GUILD_BID_KIND, GUILD_ID, MAX_GUILD_BID_BYTES, MAX_GUILD_BID_STEPS, MAX_GUILD_ID_LENGTH, MAX_RUN_ID_LENGTH, ROLE_NAME, RUN_ID } from './constants.ts'
import {
  GuildBidKeyMismatchError, GuildBidMismatchError, GuildBidSignatureError, GuildBidTooLargeError, GuildExpiredError, GuildMemberError,
  InvalidGuildBidError
} from './errors.ts'
import { guildHash, guildMember, verifyGuild } from './guild.ts'
import type { Guild } from './guild.ts'

/** One step of the workflow and the member that will run it. */
export interface GuildBidStep {
  /** The workflow step's id. */
  step: string
  /** The role (skill) the step needs; the member must list it. */
  role: string
  /** PeerId of the member that runs the step. */
  member: string
  /** The guild's price for this step, micro-units; the steps' prices sum to the bid's `price`. What a re-award takes back. */
  price: number
}

/** Every field of a guild bid except its signature: exactly what is signed. */
export interface UnsignedGuildBid {
  kind: typeof GUILD_BID_KIND
  guildId: string
  /** guildHash of the signed guild record the bid is made for. */
  guildHash: string
  /** The workflow run the bid is for; also the seed of its split (docs/shapley-split.md). */
  runId: string
  /** Lowercase hex SHA-256 of the workflow spec as written. */
  specHash: string
  /** PeerId of the member that signs for the guild. */
  lead: string
  /** The total the guild charges, micro-units: Σ steps' prices. */
  price: number
  /** The guild's estimate of the whole workflow's run time, ms, ≥ 1. */
  expectedMs: number
  /** 1 to MAX_GUILD_BID_STEPS steps, distinct step ids. */
  steps: GuildBidStep[]
  /** Unix epoch ms when the bid was signed: within the guild's life. */
  at: number
  /** The lead's raw 32-byte Ed25519 public key, unpadded base64url. */
  publicKey: string
}

export interface GuildBid extends UnsignedGuildBid {
  signature: string
}

export type GuildBidFields = Omit<UnsignedGuildBid, 'kind'> & { kind?: typeof GUILD_BID_KIND }

export const UNSIGNED_GUILD_BID_FIELDS = [
  'kind', 'guildId', 'guildHash', 'runId', 'specHash', 'lead', 'price', 'expectedMs', 'steps', 'at', 'publicKey'
] as const satisfies ReadonlyArray<keyof UnsignedGuildBid>
const GUILD_BID_FIELDS = [...UNSIGNED_GUILD_BID_FIELDS, 'signature'] as const
const STEP_FIELDS = ['step', 'role', 'member', 'price'] as const

const check = fieldCheckers((field, message) => new InvalidGuildBidError(field, message), 'a version 1 guild bid')

const GUILD_BID = signedDocumentFormat<GuildBid>({
  name: 'guild bid',
  signedFields: UNSIGNED_GUILD_BID_FIELDS,
  signerField: 'lead',
  maxBytes: MAX_GUILD_BID_BYTES,
  schema: readGuildBid,
  errors: { tooLarge: GuildBidTooLargeError, keyMismatch: GuildBidKeyMismatchError, signature: GuildBidSignatureError }
})

/** Checks the size limit, then the schema; returns a copy holding exactly the bid's fields. Does not check the signature. */
export function parseGuildBid (value: unknown): GuildBid {
  return parseSignedDocument(value, GUILD_BID)
}

/** Signs a guild bid as `identity`, which must be the `lead`. Check the bid against its guild with verifyGuildBid before sending it. */
export async function signGuildBid (fields: GuildBidFields, identity: PeerIdentity): Promise<GuildBid> {
  const record = check.jsonObject(fields, 'guild bid')
  check.exactMembers(record, UNSIGNED_GUILD_BID_FIELDS, '', ['kind'])
  return signDocument(readUnsigned({ ...record, kind: record.kind ?? GUILD_BID_KIND }), identity, GUILD_BID)
}

/**
 * Checks `guild` (verifyGuild at `now`), then the bid: size and schema; the
 * lead's key and signature; that it names this guild (id and hash); that the
 * lead and every step's member are members (GuildMemberError naming them)
 * and each member lists the role of its step; that the bid was signed within
 * the guild's life. Returns the checked bid.
 */
export function verifyGuildBid (value: unknown, guild: Guild, options: { now: number }): GuildBid {
  const checkedGuild = verifyGuild(guild, options)
  const hash = guildHash(checkedGuild)
  return verifyDocument(value, GUILD_BID, {
    check: bid => {
      if (bid.guildId !== checkedGuild.guildId || bid.guildHash !== hash) {
        throw new GuildBidMismatchError(`bid of ${bid.lead} is for guild ${bid.guildId} (${bid.guildHash}), not ${checkedGuild.guildId} (${hash})`)
      }
      if (guildMember(checkedGuild, bid.lead) === undefined) {
        throw new GuildMemberError('lead', bid.lead, `lead ${bid.lead} is not a member of guild ${checkedGuild.guildId}`)
      }
      bid.steps.forEach((step, i) => {
        const member = guildMember(checkedGuild, step.member)
        if (member === undefined) throw new GuildMemberError(`steps.${i}.member`, step.member, `${step.member} (step ${step.step}) is not a member of guild ${checkedGuild.guildId}`)
        if (!member.roles.includes(step.role)) {
          throw new GuildMemberError(`steps.${i}.role`, step.member, `member ${step.member} does not list role ${step.role} (step ${step.step})`)
        }
      })
      if (bid.at < checkedGuild.createdAt || bid.at >= checkedGuild.expiresAt) {
        throw new GuildExpiredError(`bid of ${bid.lead} is dated ${bid.at}, outside guild ${checkedGuild.guildId}'s life [${checkedGuild.createdAt}, ${checkedGuild.expiresAt})`)
      }
      return bid
    }
  })
}

/** Lowercase hex SHA-256 of the UTF-8 RFC 8785 canonical JSON of the whole signed bid: how an award names it. */
export function guildBidHash (bid: GuildBid): string {
  return sha256Hex(utf8ToBytes(canonicalize(parseGuildBid(bid))))
}

function readGuildBid (value: unknown): GuildBid {
  const record = check.jsonObject(value, 'guild bid')
  check.exactMembers(record, GUILD_BID_FIELDS, '')
  return { ...readUnsigned(record), signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

function readUnsigned (record: Record<string, unknown>): UnsignedGuildBid {
  if (record.kind !== GUILD_BID_KIND) throw new InvalidGuildBidError('kind', `must be ${GUILD_BID_KIND}`)
  const steps = readSteps(record.steps)
  const price = check.safeInteger(record.price, 'price', 0)
  const sum = steps.reduce((total, step) => total + step.price, 0)
  if (sum !== price) throw new InvalidGuildBidError('price', `must be the sum of the steps' prices, ${sum}`)
  return {
    kind: GUILD_BID_KIND,
    guildId: readId(record.guildId, 'guildId'),
    guildHash: check.hex256(record.guildHash, 'guildHash'),
    runId: readRunId(record.runId),
    specHash: check.hex256(record.specHash, 'specHash'),
    lead: check.peerId(record.lead, 'lead'),
    price,
    expectedMs: check.safeInteger(record.expectedMs, 'expectedMs', 1),
    steps,
    at: check.safeInteger(record.at, 'at', 0),
    publicKey: check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  }
}

function readSteps (value: unknown): GuildBidStep[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_GUILD_BID_STEPS) {
    throw new InvalidGuildBidError('steps', `must be an array of 1 to ${MAX_GUILD_BID_STEPS} steps`)
  }
  const seen = new Set<string>()
  return value.map((entry: unknown, i) => {
    const record = check.jsonObject(entry, `steps.${i}`)
    check.exactMembers(record, STEP_FIELDS, `steps.${i}.`)
    const step = readId(record.step, `steps.${i}.step`)
    if (seen.has(step)) throw new InvalidGuildBidError(`steps.${i}.step`, `step ${step} is listed twice`)
    seen.add(step)
    const role = record.role
    if (typeof role !== 'string' || !ROLE_NAME.test(role)) throw new InvalidGuildBidError(`steps.${i}.role`, 'must be 1 to 128 characters without white space')
    return { step, role, member: check.peerId(record.member, `steps.${i}.member`), price: check.safeInteger(record.price, `steps.${i}.price`, 0) }
  })
}

function readRunId (value: unknown): string {
  if (typeof value !== 'string' || !RUN_ID.test(value)) throw new InvalidGuildBidError('runId', `must be 1 to ${MAX_RUN_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  return value
}

function readId (value: unknown, field: string): string {
  if (typeof value !== 'string' || !GUILD_ID.test(value)) throw new InvalidGuildBidError(field, `must be 1 to ${MAX_GUILD_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  return value
}
