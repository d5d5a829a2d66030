/**
 * The guild record (docs/guild.md §1): peers, the agents they run and the
 * roles they can fill, who bid together for whole workflows. It is a
 * multi-signature document: every member signs the same bytes, the UTF-8
 * (RFC 8785 §3.2.4) of the RFC 8785 canonical JSON of every field but
 * `signatures`, with pure Ed25519 (RFC 8032 §5.1.6), through the signed-JSON
 * recipe every signed format shares (crypto/signed-json.ts); each key must be
 * the one inside its member's PeerId. `signatures` holds exactly one entry per
 * member, in member order, so a record missing any member's consent is refused.
 * crypto/signed-document.ts knows one signer per document, hence this file.
 */
import { canonicalize, sha256Hex, utf8ToBytes } from '../../core/index.ts'
import {
  ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, canonicalSigningBytes, canonicalSize, fieldCheckers, peerSignatureFault,
  signCanonicalBytes, signerMismatch
} from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import {
  GUILD_ID, GUILD_KIND, MAX_AGENT_NAME_BYTES, MAX_GUILD_BYTES, MAX_GUILD_CLOCK_SKEW_MS, MAX_GUILD_ID_LENGTH, MAX_GUILD_MEMBERS,
  MAX_GUILD_NAME_BYTES, MAX_MEMBER_AGENTS, MAX_MEMBER_ROLES, ROLE_NAME
} from './constants.ts'
import { GuildExpiredError, GuildNotYetValidError, GuildSignatureError, GuildTooLargeError, InvalidGuildError } from './errors.ts'

/** A member of a guild: a peer, its key, the agents it runs and the roles (skills) it can fill. */
export interface GuildMember {
  /** PeerId (base58btc). */
  peerId: string
  /** The member's raw 32-byte Ed25519 public key, unpadded base64url; the key inside `peerId`. */
  publicKey: string
  /** Names of the agents the member runs (their Agent Cards' names), distinct; [] for none. */
  agents: string[]
  /** The roles (skills a step needs) the member can fill, distinct, at least one. */
  roles: string[]
}

/** Every field of a guild except its signatures: exactly what every member signs. */
export interface UnsignedGuild {
  kind: typeof GUILD_KIND
  guildId: string
  /** A name for people, 1 to MAX_GUILD_NAME_BYTES bytes. */
  name: string
  /** 1 to MAX_GUILD_MEMBERS members, distinct PeerIds; the order is the signatures' order. */
  members: GuildMember[]
  /** Unix epoch ms: the guild is valid from `createdAt` (inclusive) to `expiresAt` (exclusive). */
  createdAt: number
  expiresAt: number
}

/** One member's consent: its signature over the canonical unsigned guild. */
export interface GuildSignature {
  /** The member's PeerId. */
  member: string
  /** Unpadded base64url of the 64-byte Ed25519 signature. */
  signature: string
}

export interface Guild extends UnsignedGuild {
  /** One per member, in member order. */
  signatures: GuildSignature[]
}

/** What guildBody takes: the kind may be left out; it is filled in. */
export type GuildFields = Omit<UnsignedGuild, 'kind'> & { kind?: typeof GUILD_KIND }

export const UNSIGNED_GUILD_FIELDS = ['kind', 'guildId', 'name', 'members', 'createdAt', 'expiresAt'] as const satisfies ReadonlyArray<keyof UnsignedGuild>
const GUILD_FIELDS = [...UNSIGNED_GUILD_FIELDS, 'signatures'] as const
const MEMBER_FIELDS = ['peerId', 'publicKey', 'agents', 'roles'] as const
const SIGNATURE_FIELDS = ['member', 'signature'] as const

const check = fieldCheckers((field, message) => new InvalidGuildError(field, message), 'a version 1 guild')

/** Checks `fields` and returns the unsigned guild every member signs. */
export function guildBody (fields: GuildFields): UnsignedGuild {
  const record = check.jsonObject(fields, 'guild')
  check.exactMembers(record, UNSIGNED_GUILD_FIELDS, '', ['kind'])
  const body = readUnsigned({ ...record, kind: record.kind ?? GUILD_KIND })
  checkSize(body)
  return body
}

/** `identity`'s signature over `body`; `identity` must be one of its members, with the key listed for it. */
export async function signGuildBody (body: UnsignedGuild, identity: PeerIdentity): Promise<GuildSignature> {
  const checked = guildBody(body)
  const peerId = identity.peerId.toString()
  const index = checked.members.findIndex(member => member.peerId === peerId)
  if (index < 0) throw new GuildSignatureError('members', peerId, `${peerId} is not a member of guild ${checked.guildId}`)
  if (signerMismatch(identity, checked.members[index]!) !== undefined) {
    throw new GuildSignatureError(`members.${index}.publicKey`, peerId, `the key listed for ${peerId} is not the signing identity's`)
  }
  return { member: peerId, signature: await signCanonicalBytes(signingBytes(checked), identity) }
}

/** The guild with its members' signatures put in member order. Does not verify them (verifyGuild does). */
export function assembleGuild (body: UnsignedGuild, signatures: readonly GuildSignature[]): Guild {
  const checked = guildBody(body)
  const byMember = new Map(signatures.map(entry => [entry?.member, entry]))
  const ordered = checked.members.map(member => byMember.get(member.peerId))
  return parseGuild({ ...checked, signatures: ordered.filter(entry => entry !== undefined) })
}

/** Signs `fields` as every one of `identities` (all the members): for a guild whose members' keys are in one place, such as tests. */
export async function signGuild (fields: GuildFields, identities: readonly PeerIdentity[]): Promise<Guild> {
  const body = guildBody(fields)
  const signatures = await Promise.all(identities.map(async identity => signGuildBody(body, identity)))
  return assembleGuild(body, signatures)
}

/** Checks the size limit, then the schema; returns a copy holding exactly the guild's fields. Does not check the signatures. */
export function parseGuild (value: unknown): Guild {
  // Size first: bounded work before the schema walks the members.
  const size = canonicalSize(value)
  if (size !== undefined && size > MAX_GUILD_BYTES) throw new GuildTooLargeError(`guild is ${size} bytes in canonical form, limit ${MAX_GUILD_BYTES}`)
  const record = check.jsonObject(value, 'guild')
  check.exactMembers(record, GUILD_FIELDS, '')
  const body = readUnsigned(record)
  return { ...body, signatures: readSignatures(record.signatures, body.members) }
}

export interface VerifyGuildOptions {
  /** The verifier's clock, Unix epoch ms: the guild must be valid at `now`. */
  now: number
}

/**
 * Checks, in this order: size and schema; that every member has exactly one
 * signature, in its place (GuildSignatureError naming the first member
 * without one); for each member, that its key is the one inside its PeerId
 * and that its signature verifies (GuildSignatureError naming it); that
 * `now` is within the guild's life (GuildNotYetValidError, GuildExpiredError).
 * Returns the checked copy.
 */
export function verifyGuild (value: unknown, options: VerifyGuildOptions): Guild {
  const now = options?.now
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new RangeError('now must be a finite number of milliseconds')
  const guild = parseGuild(value)
  const bytes = signingBytes(guild)
  guild.members.forEach((member, i) => {
    const { signature } = guild.signatures[i]!
    switch (peerSignatureFault(bytes, { publicKey: member.publicKey, peerId: member.peerId, signature })) {
      case 'key-not-peer': throw new GuildSignatureError(`members.${i}.publicKey`, member.peerId, `guild ${guild.guildId}: the key listed for ${member.peerId} is not the one inside its PeerId`)
      case 'bad-signature': throw new GuildSignatureError(`signatures.${i}`, member.peerId, `guild ${guild.guildId}: the signature of ${member.peerId} does not verify`)
    }
  })
  if (guild.createdAt > now + MAX_GUILD_CLOCK_SKEW_MS) throw new GuildNotYetValidError(`guild ${guild.guildId} is created at ${guild.createdAt}, ahead of ${now}`)
  if (now >= guild.expiresAt) throw new GuildExpiredError(`guild ${guild.guildId} expired at ${guild.expiresAt}; it is ${now}`)
  return guild
}

/**
 * Lowercase hex SHA-256 of the UTF-8 RFC 8785 canonical JSON of the whole
 * signed guild, signatures included. A guild bid carries it, so the bid is for
 * exactly this membership, not for a later guild that reused the id.
 */
export function guildHash (guild: Guild): string {
  return sha256Hex(utf8ToBytes(canonicalize(parseGuild(guild))))
}

/** The member `peerId` of `guild`, or undefined. */
export function guildMember (guild: Guild, peerId: string): GuildMember | undefined {
  return guild.members.find(member => member.peerId === peerId)
}

function signingBytes (guild: UnsignedGuild): Uint8Array {
  return canonicalSigningBytes(guild, UNSIGNED_GUILD_FIELDS)
}

function checkSize (body: UnsignedGuild): void {
  // Room for the signatures: the record as sent must fit too.
  const size = canonicalSize({ ...body, signatures: body.members.map(member => ({ member: member.peerId, signature: 'A'.repeat(86) })) })
  if (size !== undefined && size > MAX_GUILD_BYTES) throw new GuildTooLargeError(`guild would be ${size} bytes in canonical form, limit ${MAX_GUILD_BYTES}`)
}

function readUnsigned (record: Record<string, unknown>): UnsignedGuild {
  if (record.kind !== GUILD_KIND) throw new InvalidGuildError('kind', `must be ${GUILD_KIND}`)
  const guildId = record.guildId
  if (typeof guildId !== 'string' || !GUILD_ID.test(guildId)) throw new InvalidGuildError('guildId', `must be 1 to ${MAX_GUILD_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  const name = check.text(record.name, 'name', 1, MAX_GUILD_NAME_BYTES)
  const createdAt = check.safeInteger(record.createdAt, 'createdAt', 0)
  const expiresAt = check.safeInteger(record.expiresAt, 'expiresAt', 0)
  if (expiresAt <= createdAt) throw new InvalidGuildError('expiresAt', 'must be after createdAt')
  return { kind: GUILD_KIND, guildId, name, members: readMembers(record.members), createdAt, expiresAt }
}

function readMembers (value: unknown): GuildMember[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_GUILD_MEMBERS) {
    throw new InvalidGuildError('members', `must be an array of 1 to ${MAX_GUILD_MEMBERS} members`)
  }
  const seen = new Set<string>()
  return value.map((entry: unknown, i) => {
    const record = check.jsonObject(entry, `members.${i}`)
    check.exactMembers(record, MEMBER_FIELDS, `members.${i}.`)
    const peerId = check.peerId(record.peerId, `members.${i}.peerId`)
    if (seen.has(peerId)) throw new InvalidGuildError(`members.${i}.peerId`, `${peerId} is listed twice`)
    seen.add(peerId)
    return {
      peerId,
      publicKey: check.fixedBase64Url(record.publicKey, `members.${i}.publicKey`, ED25519_PUBLIC_KEY_LENGTH),
      agents: readNames(record.agents, `members.${i}.agents`, 0, MAX_MEMBER_AGENTS, name => check.text(name, `members.${i}.agents`, 1, MAX_AGENT_NAME_BYTES)),
      roles: readNames(record.roles, `members.${i}.roles`, 1, MAX_MEMBER_ROLES, role => {
        if (typeof role !== 'string' || !ROLE_NAME.test(role)) throw new InvalidGuildError(`members.${i}.roles`, 'every role must be 1 to 128 characters without white space')
        return role
      })
    }
  })
}

function readNames (value: unknown, field: string, min: number, max: number, read: (name: unknown) => string): string[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) throw new InvalidGuildError(field, `must be an array of ${min} to ${max} names`)
  const names = value.map(read)
  if (new Set(names).size !== names.length) throw new InvalidGuildError(field, 'must not repeat a name')
  return names
}

function readSignatures (value: unknown, members: readonly GuildMember[]): GuildSignature[] {
  if (!Array.isArray(value)) throw new InvalidGuildError('signatures', 'must be an array')
  const signatures = members.map((member, i) => {
    const entry: unknown = value[i]
    if (entry === undefined) throw new GuildSignatureError(`signatures.${i}`, member.peerId, `no signature of member ${member.peerId}`)
    const record = check.jsonObject(entry, `signatures.${i}`)
    check.exactMembers(record, SIGNATURE_FIELDS, `signatures.${i}.`)
    if (record.member !== member.peerId) {
      throw new GuildSignatureError(`signatures.${i}`, member.peerId, `signature ${i} must be member ${member.peerId}'s, found ${String(record.member)}`)
    }
    return { member: member.peerId, signature: check.fixedBase64Url(record.signature, `signatures.${i}.signature`, ED25519_SIGNATURE_LENGTH) }
  })
  if (value.length > members.length) throw new InvalidGuildError(`signatures.${members.length}`, 'is not a member\'s: one signature per member')
  return signatures
}
