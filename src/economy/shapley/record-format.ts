/**
 * The split record's fields and schema (docs/shapley-split.md, "Split
 * record"): the game as played, the method, the shares and payments, signed
 * by whoever computed them through crypto/signed-document.ts. Everything a
 * verifier needs to recompute the split is inside; record.ts signs, verifies
 * and recomputes.
 */
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, fieldCheckers, signedDocumentFormat } from '../../crypto/index.ts'
import {
  MAX_SAMPLED_PLAYERS, MAX_SPLIT_RECORD_BYTES, MAX_SPLIT_ROLES, MAX_SPLIT_SYNERGIES, MAX_SPLIT_SYNERGY_MEMBERS, SPLIT_RECORD_KIND
} from './constants.ts'
import { InvalidSplitRecordError, SplitRecordKeyMismatchError, SplitRecordSignatureError, SplitRecordTooLargeError } from './errors.ts'
import { compareIds } from './players.ts'

/** A role (a workflow step) and the price of the outside substitute that would fill it. */
export interface SplitRole {
  role: string
  /** Micro-units. */
  substitutePrice: number
  /** Where the price comes from: the step's auction (its award price) or an executor's Agent Card. */
  source: 'auction' | 'card'
  /** Lowercase hex SHA-256 of the signed document that sets the price (the winning bid, the card), or null. */
  evidence: string | null
}

/** A member's own cost of filling a role it can fill, micro-units. */
export interface SplitCost {
  role: string
  cost: number
}

export interface SplitMember {
  /** PeerId: who is paid. */
  member: string
  /** The roles it can fill (each once), with its own costs; 0 where its cost is not counted. */
  costs: SplitCost[]
}

/** A bonus (may be negative) earned only when all of `members` are in the coalition. */
export interface SplitSynergy {
  members: string[]
  bonus: number
}

/** The game: what the workflow's output is worth, its roles, its members, their synergies. */
export interface SplitGame {
  /** Micro-units. */
  value: number
  /** 1 to MAX_SPLIT_ROLES distinct roles. */
  roles: SplitRole[]
  /** 1 to MAX_SAMPLED_PLAYERS members, sorted by PeerId (UTF-16 code units), distinct. */
  members: SplitMember[]
  /** 0 to MAX_SPLIT_SYNERGIES; [] for none. */
  synergies: SplitSynergy[]
}

/** How a sampled split was drawn (the seed is the run id). */
export interface SplitRecordSampling {
  epsilon: number
  delta: number
  range: number
  permutations: number
}

/** A member's share (its Shapley value, whole µ) and payment (share + own costs of the roles it fills). */
export interface SplitShare {
  member: string
  share: number
  payment: number
}

/** Every field of a split record except its signature: exactly what is signed. */
export interface UnsignedSplitRecord {
  kind: typeof SPLIT_RECORD_KIND
  /** The workflow run; the seed of a sampled split. */
  runId: string
  /** The most the payer pays for the split: the payments' total must not exceed it. */
  budget: number
  game: SplitGame
  method: 'exact' | 'sampled'
  /** Present (non-null) exactly when sampled. */
  sampling: SplitRecordSampling | null
  /** One per game member, in member order. */
  shares: SplitShare[]
  /** Σ payments, micro-units. */
  total: number
  /** PeerId of whoever computed and signed the split. */
  signer: string
  publicKey: string
  /** Unix epoch ms when signed. */
  at: number
}

export interface SplitRecord extends UnsignedSplitRecord {
  signature: string
}

export const UNSIGNED_SPLIT_RECORD_FIELDS = [
  'kind', 'runId', 'budget', 'game', 'method', 'sampling', 'shares', 'total', 'signer', 'publicKey', 'at'
] as const satisfies ReadonlyArray<keyof UnsignedSplitRecord>
const SPLIT_RECORD_FIELDS = [...UNSIGNED_SPLIT_RECORD_FIELDS, 'signature'] as const

/** Run ids as a workflow run record spells them. */
const RUN_ID = /^[A-Za-z0-9_-]{1,128}$/
/** A role is a step's id or skill: 1 to 128 characters, no white space. */
const ROLE = /^\S{1,128}$/u

const check = fieldCheckers((field, message) => new InvalidSplitRecordError(field, message), 'a version 1 split record')

export const SPLIT_RECORD = signedDocumentFormat<SplitRecord>({
  name: 'split record',
  signedFields: UNSIGNED_SPLIT_RECORD_FIELDS,
  signerField: 'signer',
  maxBytes: MAX_SPLIT_RECORD_BYTES,
  schema: readSplitRecord,
  errors: { tooLarge: SplitRecordTooLargeError, keyMismatch: SplitRecordKeyMismatchError, signature: SplitRecordSignatureError }
})

export function readRunId (value: unknown): string {
  if (typeof value !== 'string' || !RUN_ID.test(value)) throw new InvalidSplitRecordError('runId', 'must be 1 to 128 characters of [A-Za-z0-9_-]')
  return value
}

export function readBudget (value: unknown): number {
  return check.safeInteger(value, 'budget', 0)
}

/** Checks a game; returns a copy holding exactly its fields. */
export function readGame (value: unknown): SplitGame {
  const record = check.jsonObject(value, 'game')
  check.exactMembers(record, ['value', 'roles', 'members', 'synergies'], 'game.')
  const roles = list(record.roles, 'game.roles', 1, MAX_SPLIT_ROLES).map((entry, i) => readRole(entry, `game.roles.${i}`))
  const names = new Set<string>()
  roles.forEach((role, i) => {
    if (names.has(role.role)) throw new InvalidSplitRecordError(`game.roles.${i}.role`, `${role.role} is listed twice`)
    names.add(role.role)
  })
  const members = list(record.members, 'game.members', 1, MAX_SAMPLED_PLAYERS).map((entry, i) => readMember(entry, `game.members.${i}`, names))
  members.forEach((member, i) => {
    if (i > 0 && compareIds(members[i - 1]!.member, member.member) >= 0) {
      throw new InvalidSplitRecordError(`game.members.${i}.member`, 'members must be sorted by PeerId, each once')
    }
  })
  const ids = new Set(members.map(member => member.member))
  const synergies = list(record.synergies, 'game.synergies', 0, MAX_SPLIT_SYNERGIES).map((entry, k) => {
    const field = `game.synergies.${k}`
    const synergy = check.jsonObject(entry, field)
    check.exactMembers(synergy, ['members', 'bonus'], `${field}.`)
    const group = list(synergy.members, `${field}.members`, 1, MAX_SPLIT_SYNERGY_MEMBERS).map(id => check.peerId(id, `${field}.members`))
    if (new Set(group).size !== group.length || group.some(id => !ids.has(id))) {
      throw new InvalidSplitRecordError(`${field}.members`, 'must be distinct members of the game')
    }
    return { members: group, bonus: check.safeInteger(synergy.bonus, `${field}.bonus`, Number.MIN_SAFE_INTEGER) }
  })
  return { value: check.safeInteger(record.value, 'game.value', 0), roles, members, synergies }
}

function readRole (value: unknown, field: string): SplitRole {
  const record = check.jsonObject(value, field)
  check.exactMembers(record, ['role', 'substitutePrice', 'source', 'evidence'], `${field}.`)
  if (typeof record.role !== 'string' || !ROLE.test(record.role)) throw new InvalidSplitRecordError(`${field}.role`, 'must be 1 to 128 characters without white space')
  if (record.source !== 'auction' && record.source !== 'card') throw new InvalidSplitRecordError(`${field}.source`, 'must be auction or card')
  return {
    role: record.role,
    substitutePrice: check.safeInteger(record.substitutePrice, `${field}.substitutePrice`, 0),
    source: record.source,
    evidence: record.evidence === null ? null : check.hex256(record.evidence, `${field}.evidence`)
  }
}

function readMember (value: unknown, field: string, roles: ReadonlySet<string>): SplitMember {
  const record = check.jsonObject(value, field)
  check.exactMembers(record, ['member', 'costs'], `${field}.`)
  const seen = new Set<string>()
  const costs = list(record.costs, `${field}.costs`, 0, roles.size).map((entry, j) => {
    const costField = `${field}.costs.${j}`
    const cost = check.jsonObject(entry, costField)
    check.exactMembers(cost, ['role', 'cost'], `${costField}.`)
    if (typeof cost.role !== 'string' || !roles.has(cost.role) || seen.has(cost.role)) {
      throw new InvalidSplitRecordError(`${costField}.role`, 'must be a role of the game, each once per member')
    }
    seen.add(cost.role)
    return { role: cost.role, cost: check.safeInteger(cost.cost, `${costField}.cost`, 0) }
  })
  return { member: check.peerId(record.member, `${field}.member`), costs }
}

function readSampling (value: unknown, method: 'exact' | 'sampled'): SplitRecordSampling | null {
  if (method === 'exact') {
    if (value !== null) throw new InvalidSplitRecordError('sampling', 'must be null for an exact split')
    return null
  }
  const record = check.jsonObject(value, 'sampling')
  check.exactMembers(record, ['epsilon', 'delta', 'range', 'permutations'], 'sampling.')
  const positive = (field: 'epsilon' | 'range'): number => {
    const number = record[field]
    if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) throw new InvalidSplitRecordError(`sampling.${field}`, 'must be a finite number above 0')
    return number
  }
  const delta = record.delta
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1)) throw new InvalidSplitRecordError('sampling.delta', 'must be a number in (0, 1)')
  return { epsilon: positive('epsilon'), delta, range: positive('range'), permutations: check.safeInteger(record.permutations, 'sampling.permutations', 1) }
}

function readShares (value: unknown, members: readonly SplitMember[]): SplitShare[] {
  if (!Array.isArray(value) || value.length !== members.length) throw new InvalidSplitRecordError('shares', 'must hold one share per game member, in member order')
  return value.map((entry: unknown, i) => {
    const record = check.jsonObject(entry, `shares.${i}`)
    check.exactMembers(record, ['member', 'share', 'payment'], `shares.${i}.`)
    if (record.member !== members[i]!.member) throw new InvalidSplitRecordError(`shares.${i}.member`, `must be ${members[i]!.member}, the game's member ${i}`)
    return {
      member: members[i]!.member,
      share: check.safeInteger(record.share, `shares.${i}.share`, Number.MIN_SAFE_INTEGER),
      payment: check.safeInteger(record.payment, `shares.${i}.payment`, Number.MIN_SAFE_INTEGER)
    }
  })
}

function readSplitRecord (value: unknown): SplitRecord {
  const record = check.jsonObject(value, 'split record')
  check.exactMembers(record, SPLIT_RECORD_FIELDS, '')
  return { ...readUnsignedSplitRecord(record), signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

export function readUnsignedSplitRecord (record: Record<string, unknown>): UnsignedSplitRecord {
  if (record.kind !== SPLIT_RECORD_KIND) throw new InvalidSplitRecordError('kind', `must be ${SPLIT_RECORD_KIND}`)
  const game = readGame(record.game)
  const method = record.method
  if (method !== 'exact' && method !== 'sampled') throw new InvalidSplitRecordError('method', 'must be exact or sampled')
  return {
    kind: SPLIT_RECORD_KIND,
    runId: readRunId(record.runId),
    budget: readBudget(record.budget),
    game,
    method,
    sampling: readSampling(record.sampling, method),
    shares: readShares(record.shares, game.members),
    total: check.safeInteger(record.total, 'total', Number.MIN_SAFE_INTEGER),
    signer: check.peerId(record.signer, 'signer'),
    publicKey: check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH),
    at: check.safeInteger(record.at, 'at', 0)
  }
}

function list (value: unknown, field: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) throw new InvalidSplitRecordError(field, `must be an array of ${min} to ${max} entries`)
  return value
}
