/**
 * The Agent Card schema, versions 1 and 2 (docs/agent-card.md §2, §10): every
 * check on an untrusted value, each naming the field it concerns. A card that passes is
 * copied out member by member, so nothing else rides along into the cache or
 * into the signed bytes.
 */
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, fieldCheckers } from '../crypto/index.ts'
import { AVAILABILITY_CLASSES, MAX_TIMER_LAG_MS } from './availability-class.ts'
import type { AgentCard, AgentCardFields, AgentSkill, AvailabilityClass, CardAvailability, CardBenchmark, CardInterface, CardPrices, UnsignedAgentCard } from './types.ts'
import {
  AGENT_CARD_VERSION_1, AGENT_CARD_VERSION_2, AGENT_CARD_VERSIONS, CAPABILITY_VECTOR_DECIMALS, CAPABILITY_VECTOR_DIMENSIONS, MAX_AGENT_CARD_TTL_MS, MAX_CARD_AGENT_VERSION_BYTES,
  MAX_CARD_DESCRIPTION_BYTES, MAX_CARD_MEMORY_BYTES, MAX_CARD_NAME_BYTES, MAX_CARD_SKILLS, MAX_FUEL_PER_MS, MAX_PRICE_MICRO_UNITS,
  MAX_CARD_INTERFACES, MAX_INTERFACE_URL_BYTES, MAX_PROTOCOL_BINDING_LENGTH, MAX_SKILL_DESCRIPTION_BYTES, MAX_SKILL_ID_LENGTH,
  MAX_SKILL_NAME_BYTES, MAX_SKILL_TAGS, MAX_TAG_LENGTH, MAX_WARM_MODULES, MAX_WORKER_SLOTS, MIN_CARD_MEMORY_BYTES
} from './constants.ts'
import { InvalidAgentCardError } from './errors.ts'
import { SKILL_TAG_PATTERN } from './skill-tags.ts'

/** The fields the publisher states, in specification order (version 1: all but the last). */
export const CARD_FIELDS = [
  'cardVersion', 'name', 'description', 'version', 'skills', 'peerId', 'publicKey', 'issuedAt', 'expiresAt', 'sequence',
  'workerSlots', 'memoryLimitBytes', 'benchmark', 'prices', 'warmModules', 'availability', 'supportedInterfaces'
] as const satisfies ReadonlyArray<keyof AgentCardFields>

/** The signed members: the stated fields and the vector derived from them (an absent `supportedInterfaces` is not signed). */
export const UNSIGNED_CARD_FIELDS = [...CARD_FIELDS, 'capabilityVector'] as const satisfies ReadonlyArray<keyof UnsignedAgentCard>

export const AGENT_CARD_FIELDS = [...UNSIGNED_CARD_FIELDS, 'signature'] as const satisfies ReadonlyArray<keyof AgentCard>

/** The members only version 2 has. */
const VERSION_2_FIELDS: ReadonlyArray<string> = ['supportedInterfaces']

export const INTERFACE_FIELDS = ['url', 'protocolBinding', 'protocolVersion'] as const satisfies ReadonlyArray<keyof CardInterface>

export const SKILL_FIELDS = ['id', 'name', 'description', 'tags'] as const satisfies ReadonlyArray<keyof AgentSkill>
export const BENCHMARK_FIELDS = ['fuelPerMs', 'reference'] as const satisfies ReadonlyArray<keyof CardBenchmark>
export const PRICE_FIELDS = ['perMegaFuel', 'perSecond', 'perMb'] as const satisfies ReadonlyArray<keyof CardPrices>
export const AVAILABILITY_FIELDS = ['visible', 'charging', 'battery', 'class', 'timerLagMs'] as const satisfies ReadonlyArray<keyof CardAvailability>
const OPTIONAL_AVAILABILITY_FIELDS: ReadonlyArray<string> = ['charging', 'battery', 'class', 'timerLagMs']

const { jsonObject, exactMembers, safeInteger, text, fixedBase64Url, peerId, hex256 } =
  fieldCheckers((field, message) => new InvalidAgentCardError(field, message), 'an agent card')

/** Lowercase, so that `NLP` and `nlp` can never be two different features of the capability vector. */
const SKILL_ID = new RegExp(`^[a-z0-9][a-z0-9._-]{0,${MAX_SKILL_ID_LENGTH - 1}}$`)

/** Which members a card must carry: the publisher's fields, plus the vector, plus the signature. */
export type CardShape = 'fields' | 'unsigned' | 'signed'

/**
 * Validates a card of the given shape and returns a copy holding exactly its
 * fields. Checks run in specification order, so the error names the first
 * offending field.
 */
export function readCardFields (value: unknown, shape: 'fields'): AgentCardFields
export function readCardFields (value: unknown, shape: 'signed'): AgentCard
export function readCardFields (value: unknown, shape: CardShape): AgentCardFields | UnsignedAgentCard | AgentCard
export function readCardFields (value: unknown, shape: CardShape): AgentCardFields | UnsignedAgentCard | AgentCard {
  const record = jsonObject(value, '(root)')
  // Version first: a card of another version is reported as that, not by its first unfamiliar member.
  if (!Object.hasOwn(record, 'cardVersion')) throw new InvalidAgentCardError('cardVersion', 'is missing')
  const version = record.cardVersion
  if (version !== AGENT_CARD_VERSION_1 && version !== AGENT_CARD_VERSION_2) {
    throw new InvalidAgentCardError('cardVersion', `must be ${AGENT_CARD_VERSIONS.join(' or ')}; no other version is accepted`)
  }
  const allowed: ReadonlyArray<string> = shape === 'fields' ? CARD_FIELDS : shape === 'unsigned' ? UNSIGNED_CARD_FIELDS : AGENT_CARD_FIELDS
  exactMembers(record, version === AGENT_CARD_VERSION_2 ? allowed : allowed.filter(field => !VERSION_2_FIELDS.includes(field)), '')

  const issuedAt = safeInteger(record.issuedAt, 'issuedAt', 0, Number.MAX_SAFE_INTEGER)
  const expiresAt = safeInteger(record.expiresAt, 'expiresAt', 0, Number.MAX_SAFE_INTEGER)
  if (expiresAt <= issuedAt || expiresAt - issuedAt > MAX_AGENT_CARD_TTL_MS) {
    throw new InvalidAgentCardError('expiresAt', `must be after issuedAt by at most ${MAX_AGENT_CARD_TTL_MS} ms`)
  }
  const fields: AgentCardFields = {
    cardVersion: version,
    name: text(record.name, 'name', 1, MAX_CARD_NAME_BYTES),
    description: text(record.description, 'description', 0, MAX_CARD_DESCRIPTION_BYTES),
    version: text(record.version, 'version', 1, MAX_CARD_AGENT_VERSION_BYTES),
    skills: readSkills(record.skills),
    peerId: peerId(record.peerId, 'peerId'),
    publicKey: fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH),
    issuedAt,
    expiresAt,
    sequence: safeInteger(record.sequence, 'sequence', 0, Number.MAX_SAFE_INTEGER),
    workerSlots: safeInteger(record.workerSlots, 'workerSlots', 1, MAX_WORKER_SLOTS),
    memoryLimitBytes: safeInteger(record.memoryLimitBytes, 'memoryLimitBytes', MIN_CARD_MEMORY_BYTES, MAX_CARD_MEMORY_BYTES),
    benchmark: readBenchmark(record.benchmark),
    prices: readPrices(record.prices),
    warmModules: readWarmModules(record.warmModules),
    availability: readAvailability(record.availability)
  }
  if (version === AGENT_CARD_VERSION_2) fields.supportedInterfaces = readInterfaces(record.supportedInterfaces, fields.peerId)
  if (shape === 'fields') return fields
  const unsigned: UnsignedAgentCard = { ...fields, capabilityVector: readVector(record.capabilityVector) }
  if (shape === 'unsigned') return unsigned
  return { ...unsigned, signature: fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

/** An array of at most `max` distinct items, each read by `read`. Duplicates would let one feature count twice. */
function distinctArray<T> (value: unknown, field: string, max: number, read: (item: unknown, field: string) => T, key: (item: T) => string): T[] {
  if (!Array.isArray(value)) throw new InvalidAgentCardError(field, 'must be an array')
  if (value.length > max) throw new InvalidAgentCardError(field, `must have at most ${max} entries`)
  const seen = new Set<string>()
  const out: T[] = []
  for (const [i, item] of (value as unknown[]).entries()) {
    const entry = read(item, `${field}[${i}]`)
    if (seen.has(key(entry))) throw new InvalidAgentCardError(`${field}[${i}]`, 'repeats an earlier entry')
    seen.add(key(entry))
    out.push(entry)
  }
  return out
}

function pattern (value: unknown, field: string, re: RegExp, what: string): string {
  if (typeof value !== 'string' || !re.test(value)) throw new InvalidAgentCardError(field, `must be ${what}`)
  return value
}

function readSkills (value: unknown): AgentSkill[] {
  return distinctArray(value, 'skills', MAX_CARD_SKILLS, (item, field) => {
    const record = jsonObject(item, field)
    exactMembers(record, SKILL_FIELDS, `${field}.`)
    return {
      id: pattern(record.id, `${field}.id`, SKILL_ID, `1 to ${MAX_SKILL_ID_LENGTH} characters of [a-z0-9._-], starting with [a-z0-9]`),
      name: text(record.name, `${field}.name`, 1, MAX_SKILL_NAME_BYTES),
      description: text(record.description, `${field}.description`, 0, MAX_SKILL_DESCRIPTION_BYTES),
      tags: distinctArray(record.tags, `${field}.tags`, MAX_SKILL_TAGS,
        (tag, tagField) => pattern(tag, tagField, SKILL_TAG_PATTERN, `1 to ${MAX_TAG_LENGTH} characters of [a-z0-9-], starting with [a-z0-9]`),
        tag => tag)
    }
  }, skill => skill.id)
}

/** A2A `protocolBinding` values are upper-case names: `JSONRPC`, `GRPC`, `HTTP+JSON`, `ZEROSTATE-LIBP2P`. */
const PROTOCOL_BINDING = new RegExp(`^[A-Z0-9][A-Z0-9+._-]{0,${MAX_PROTOCOL_BINDING_LENGTH - 1}}$`)
const PROTOCOL_VERSION = /^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$/
/** A libp2p address of a peer, the url of a libp2p binding; it must be the card's own peer. */
const P2P_ADDRESS = /^\/p2p\/([1-9A-HJ-NP-Za-km-z]+)$/
const HTTP_URL = /^https?:\/\/[^\s]+$/

/**
 * Version 2's `supportedInterfaces`: 1 to MAX_CARD_INTERFACES distinct
 * entries. A url is http(s) or `/p2p/<peerId>`, and a `/p2p/` one names the
 * card's own peer: a card speaks for its signer only.
 */
function readInterfaces (value: unknown, cardPeerId: string): CardInterface[] {
  const interfaces = distinctArray(value, 'supportedInterfaces', MAX_CARD_INTERFACES, (item, field) => {
    const record = jsonObject(item, field)
    exactMembers(record, INTERFACE_FIELDS, `${field}.`)
    const url = text(record.url, `${field}.url`, 1, MAX_INTERFACE_URL_BYTES)
    const p2p = P2P_ADDRESS.exec(url)
    if (p2p !== null ? p2p[1] !== cardPeerId : !HTTP_URL.test(url)) {
      throw new InvalidAgentCardError(`${field}.url`, 'must be an http(s) URL, or /p2p/ followed by the card\'s own peerId')
    }
    return {
      url,
      protocolBinding: pattern(record.protocolBinding, `${field}.protocolBinding`, PROTOCOL_BINDING,
        `1 to ${MAX_PROTOCOL_BINDING_LENGTH} characters of [A-Z0-9+._-], starting with [A-Z0-9]`),
      protocolVersion: pattern(record.protocolVersion, `${field}.protocolVersion`, PROTOCOL_VERSION, 'major.minor, e.g. 1.0')
    }
  }, entry => `${entry.protocolBinding} ${entry.url}`)
  if (interfaces.length === 0) throw new InvalidAgentCardError('supportedInterfaces', 'must not be empty: a card without interfaces is version 1')
  return interfaces
}

function readBenchmark (value: unknown): CardBenchmark {
  const record = jsonObject(value, 'benchmark')
  exactMembers(record, BENCHMARK_FIELDS, 'benchmark.')
  return {
    fuelPerMs: safeInteger(record.fuelPerMs, 'benchmark.fuelPerMs', 0, MAX_FUEL_PER_MS),
    reference: hex256(record.reference, 'benchmark.reference')
  }
}

function readPrices (value: unknown): CardPrices {
  const record = jsonObject(value, 'prices')
  exactMembers(record, PRICE_FIELDS, 'prices.')
  return {
    perMegaFuel: safeInteger(record.perMegaFuel, 'prices.perMegaFuel', 0, MAX_PRICE_MICRO_UNITS),
    perSecond: safeInteger(record.perSecond, 'prices.perSecond', 0, MAX_PRICE_MICRO_UNITS),
    perMb: safeInteger(record.perMb, 'prices.perMb', 0, MAX_PRICE_MICRO_UNITS)
  }
}

function readWarmModules (value: unknown): string[] {
  return distinctArray(value, 'warmModules', MAX_WARM_MODULES, hex256, hash => hash)
}

function readAvailability (value: unknown): CardAvailability {
  const record = jsonObject(value, 'availability')
  exactMembers(record, AVAILABILITY_FIELDS, 'availability.', OPTIONAL_AVAILABILITY_FIELDS)
  if (typeof record.visible !== 'boolean') throw new InvalidAgentCardError('availability.visible', 'must be true or false')
  const availability: CardAvailability = { visible: record.visible }
  if (Object.hasOwn(record, 'charging')) {
    if (typeof record.charging !== 'boolean') throw new InvalidAgentCardError('availability.charging', 'must be true or false when present')
    availability.charging = record.charging
  }
  if (Object.hasOwn(record, 'battery')) {
    const battery = record.battery
    if (typeof battery !== 'number' || !(battery >= 0 && battery <= 1)) {
      throw new InvalidAgentCardError('availability.battery', 'must be a number from 0 to 1 when present')
    }
    availability.battery = battery === 0 ? 0 : battery
  }
  if (Object.hasOwn(record, 'class')) {
    if (!(AVAILABILITY_CLASSES as readonly unknown[]).includes(record.class)) {
      throw new InvalidAgentCardError('availability.class', `must be ${AVAILABILITY_CLASSES.join(', ')} when present`)
    }
    availability.class = record.class as AvailabilityClass
  }
  if (Object.hasOwn(record, 'timerLagMs')) availability.timerLagMs = safeInteger(record.timerLagMs, 'availability.timerLagMs', 0, MAX_TIMER_LAG_MS)
  return availability
}

const VECTOR_SCALE = 10 ** CAPABILITY_VECTOR_DECIMALS

/** Exactly CAPABILITY_VECTOR_DIMENSIONS numbers in [−1, 1], each written with at most six decimals. */
function readVector (value: unknown): number[] {
  if (!Array.isArray(value) || value.length !== CAPABILITY_VECTOR_DIMENSIONS) {
    throw new InvalidAgentCardError('capabilityVector', `must be an array of ${CAPABILITY_VECTOR_DIMENSIONS} numbers`)
  }
  const out: number[] = []
  for (const [i, component] of (value as unknown[]).entries()) {
    if (typeof component !== 'number' || !(component >= -1 && component <= 1) ||
      Math.round(component * VECTOR_SCALE) / VECTOR_SCALE !== component) {
      throw new InvalidAgentCardError(`capabilityVector[${i}]`, `must be a number from −1 to 1 with at most ${CAPABILITY_VECTOR_DECIMALS} decimals`)
    }
    out.push(component === 0 ? 0 : component)
  }
  return out
}
