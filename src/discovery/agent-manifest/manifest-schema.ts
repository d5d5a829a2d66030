/**
 * The agent manifest schema (docs/agent-manifest.md §2): every check on an
 * untrusted value, each naming the field it concerns. A manifest that passes
 * is copied out member by member, so nothing else rides along into the
 * registry or into the signed bytes.
 */
import { base64UrlToBytes, utf8ToBytes } from '../../core/index.ts'
import {
  MAX_ARG_BYTES, MAX_ARGS, MAX_ARGS_AND_ENV_BYTES, MAX_FUEL, MAX_MEMORY_LIMIT_BYTES, MAX_MODULE_BYTES, MAX_TIMEOUT_MS, MIN_MEMORY_LIMIT_BYTES,
  MIN_TIMEOUT_MS
} from '../../core/limits.ts'
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, fieldCheckers } from '../../crypto/index.ts'
import { InvalidPriceScheduleError, checkPriceSchedule } from '../../receipts/pricing/index.ts'
import type { PriceSchedule } from '../../receipts/pricing/index.ts'
import { MAX_SKILL_ID_LENGTH, MAX_SKILL_TAGS, MAX_TAG_LENGTH } from '../constants.ts'
import { SKILL_TAG_PATTERN } from '../skill-tags.ts'
import { AGENT_NAME_PATTERN } from './agent-ref.ts'
import {
  AGENT_MANIFEST_KIND, MAX_AGENT_NAME_LENGTH, MAX_EXAMPLE_IO_BYTES, MAX_EXAMPLE_NAME_BYTES, MAX_HOMEPAGE_LENGTH, MAX_LICENCE_LENGTH,
  MAX_MANIFEST_DESCRIPTION_BYTES, MAX_MANIFEST_EXAMPLES, MAX_MANIFEST_MODULES, MAX_MANIFEST_SKILL_DESCRIPTION_BYTES,
  MAX_MANIFEST_SKILL_NAME_BYTES, MAX_MANIFEST_SKILLS, MAX_MEDIA_TYPE_LENGTH, MAX_MODULE_NAME_LENGTH, MAX_SKILL_EXAMPLE_BYTES,
  MAX_SKILL_EXAMPLES, MAX_SKILL_MODES
} from './constants.ts'
import { InvalidAgentManifestError, InvalidVersionError } from './errors.ts'
import { parseSemVer } from './semver.ts'
import type {
  AgentManifest, ExampleBytes, ManifestDefaults, ManifestExample, ManifestModule, ManifestSkill, UnsignedAgentManifest
} from './types.ts'

/** The signed members, in the order docs/agent-manifest.md lists them. */
export const UNSIGNED_MANIFEST_FIELDS = [
  'kind', 'name', 'version', 'description', 'author', 'publicKey', 'licence', 'homepage', 'skills', 'modules', 'defaults',
  'priceHints', 'examples', 'publishedAt'
] as const satisfies ReadonlyArray<keyof UnsignedAgentManifest>
export const AGENT_MANIFEST_FIELDS = [...UNSIGNED_MANIFEST_FIELDS, 'signature'] as const satisfies ReadonlyArray<keyof AgentManifest>

export const SKILL_FIELDS = ['id', 'name', 'description', 'tags', 'examples', 'inputModes', 'outputModes'] as const satisfies ReadonlyArray<keyof ManifestSkill>
const OPTIONAL_SKILL_FIELDS: ReadonlyArray<string> = ['examples', 'inputModes', 'outputModes']
export const MODULE_FIELDS = ['name', 'sha256', 'size', 'entry'] as const satisfies ReadonlyArray<keyof ManifestModule>
export const DEFAULTS_FIELDS = ['args', 'timeoutMs', 'memoryLimitBytes', 'fuel'] as const satisfies ReadonlyArray<keyof ManifestDefaults>
export const EXAMPLE_FIELDS = ['name', 'args', 'stdin', 'expectedStdout'] as const satisfies ReadonlyArray<keyof ManifestExample>

const check = fieldCheckers((field, message) => new InvalidAgentManifestError(field, message), 'a version 1 agent manifest')

/** Same rule as Agent Card skill ids (docs/agent-card.md §2), so a card can advertise a manifest's skills unchanged. */
const SKILL_ID = new RegExp(`^[a-z0-9][a-z0-9._-]{0,${MAX_SKILL_ID_LENGTH - 1}}$`)
const MODULE_NAME = new RegExp(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,${MAX_MODULE_NAME_LENGTH - 1}}$`)
/** RFC 6838 §4.2 type/subtype (restricted-name), lowercase so that one media type has one spelling; no parameters. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/
/** SPDX idstring (SPDX spec v2.3 Annex D): letters, digits, `-` and `.`. */
const SPDX_ID = /^[A-Za-z0-9.-]+$/
const SPDX_OPERATORS = new Set(['AND', 'OR', 'WITH'])
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/

/** Which members a manifest must carry: without (`unsigned`) or with (`signed`) its signature. */
export type ManifestShape = 'unsigned' | 'signed'

/** Validates a manifest of the given shape and returns a copy holding exactly its fields; errors name the first bad field in specification order. */
export function readManifest (value: unknown, shape: 'unsigned'): UnsignedAgentManifest
export function readManifest (value: unknown, shape: 'signed'): AgentManifest
export function readManifest (value: unknown, shape: ManifestShape): UnsignedAgentManifest | AgentManifest {
  const record = check.jsonObject(value, '(root)')
  // Kind first: a document of another kind or version is reported as that, not by its first unfamiliar member.
  if (record.kind !== AGENT_MANIFEST_KIND) throw new InvalidAgentManifestError('kind', `must be ${AGENT_MANIFEST_KIND}`)
  check.exactMembers(record, shape === 'signed' ? AGENT_MANIFEST_FIELDS : UNSIGNED_MANIFEST_FIELDS, '')
  // Read in specification order, so that the error names the first bad field.
  const name = pattern(record.name, 'name', AGENT_NAME_PATTERN, `1 to ${MAX_AGENT_NAME_LENGTH} characters of [a-z0-9-], starting with [a-z0-9]`)
  const version = readVersion(record.version)
  const description = check.text(record.description, 'description', 0, MAX_MANIFEST_DESCRIPTION_BYTES)
  const author = check.peerId(record.author, 'author')
  const publicKey = check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  const licence = readLicence(record.licence)
  const homepage = record.homepage === null ? null : readHomepage(record.homepage)
  const skills = readSkills(record.skills)
  const modules = readModules(record.modules)
  const defaults = readDefaults(record.defaults)
  const priceHints = record.priceHints === null ? null : readPriceHints(record.priceHints)
  const examples = readExamples(record.examples)
  const publishedAt = check.safeInteger(record.publishedAt, 'publishedAt', 0)
  const manifest: UnsignedAgentManifest = {
    kind: AGENT_MANIFEST_KIND, name, version, description, author, publicKey, licence, homepage, skills, modules, defaults, priceHints,
    examples, publishedAt
  }
  if (shape === 'unsigned') return manifest
  return { ...manifest, signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

/** The bytes an example's `stdin` or `expectedStdout` stands for. */
export function exampleBytes (value: ExampleBytes): Uint8Array {
  return 'text' in value ? utf8ToBytes(value.text) : base64UrlToBytes(value.base64url)
}

/**
 * True when `text` is an SPDX license expression (SPDX 2.3 Annex D) by its
 * syntax: ids (`MIT`, `GPL-2.0+`, `LicenseRef-x`, `DocumentRef-a:LicenseRef-b`)
 * joined by `AND` / `OR`, an exception after `WITH`, and parentheses. Whether
 * an id is on the SPDX list is not checked: the list grows, and a peer must
 * not refuse tomorrow's licence.
 */
export function isSpdxExpression (text: string): boolean {
  // Words are separated by single spaces, with nothing around the whole: no two spellings differing in blanks only.
  if (text !== text.trim() || /\s{2,}|[^\S ]/.test(text)) return false
  const tokens = text.replace(/([()])/g, ' $1 ').trim().split(/ +/)
  let at = 0
  const id = (): boolean => {
    const token = tokens[at]
    if (token === undefined || SPDX_OPERATORS.has(token) || token === '(' || token === ')') return false
    const ref = /^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(token)
    const plain = SPDX_ID.test(token.endsWith('+') ? token.slice(0, -1) : token) && !token.includes(':')
    if (!ref && !plain) return false
    at++
    return true
  }
  const term = (): boolean => {
    if (tokens[at] === '(') {
      at++
      if (!expression() || tokens[at] !== ')') return false
      at++
      return true
    }
    if (!id()) return false
    if (tokens[at] === 'WITH') {
      at++
      const exception = tokens[at]
      if (exception === undefined || exception.endsWith('+') || !id()) return false
    }
    return true
  }
  const expression = (): boolean => {
    if (!term()) return false
    while (tokens[at] === 'AND' || tokens[at] === 'OR') {
      at++
      if (!term()) return false
    }
    return true
  }
  return expression() && at === tokens.length
}

function pattern (value: unknown, field: string, re: RegExp, what: string): string {
  if (typeof value !== 'string' || !re.test(value)) throw new InvalidAgentManifestError(field, `must be ${what}`)
  return value
}

function readVersion (value: unknown): string {
  try {
    return parseSemVer(value).text
  } catch (err) {
    if (err instanceof InvalidVersionError) throw new InvalidAgentManifestError('version', err.message)
    throw err
  }
}

function readLicence (value: unknown): string {
  const licence = check.text(value, 'licence', 1, MAX_LICENCE_LENGTH)
  if (!isSpdxExpression(licence)) throw new InvalidAgentManifestError('licence', 'must be an SPDX license expression (MIT, Apache-2.0 OR MIT)')
  return licence
}

function readHomepage (value: unknown): string {
  if (typeof value !== 'string') throw new InvalidAgentManifestError('homepage', 'must be an https URL or null')
  const homepage = check.text(value, 'homepage', 1, MAX_HOMEPAGE_LENGTH)
  let url: URL | undefined
  try {
    url = new URL(homepage)
  } catch {
    // reported below
  }
  if (!PRINTABLE_ASCII.test(homepage) || url?.protocol !== 'https:') throw new InvalidAgentManifestError('homepage', 'must be an https URL in printable ASCII')
  return homepage
}

/** An array of `min` to `max` items, each read by `read`, distinct by `key`. */
function list<T> (value: unknown, field: string, min: number, max: number, read: (item: unknown, field: string) => T, key: (item: T) => string): T[] {
  if (!Array.isArray(value)) throw new InvalidAgentManifestError(field, 'must be an array')
  if (value.length < min || value.length > max) throw new InvalidAgentManifestError(field, `must have ${min} to ${max} entries`)
  const seen = new Set<string>()
  const out: T[] = []
  for (const [i, item] of (value as unknown[]).entries()) {
    const entry = read(item, `${field}[${i}]`)
    if (seen.has(key(entry))) throw new InvalidAgentManifestError(`${field}[${i}]`, 'repeats an earlier entry')
    seen.add(key(entry))
    out.push(entry)
  }
  return out
}

function readSkills (value: unknown): ManifestSkill[] {
  return list(value, 'skills', 1, MAX_MANIFEST_SKILLS, (item, field) => {
    const record = check.jsonObject(item, field)
    check.exactMembers(record, SKILL_FIELDS, `${field}.`, OPTIONAL_SKILL_FIELDS)
    const skill: ManifestSkill = {
      id: pattern(record.id, `${field}.id`, SKILL_ID, `1 to ${MAX_SKILL_ID_LENGTH} characters of [a-z0-9._-], starting with [a-z0-9]`),
      name: check.text(record.name, `${field}.name`, 1, MAX_MANIFEST_SKILL_NAME_BYTES),
      description: check.text(record.description, `${field}.description`, 1, MAX_MANIFEST_SKILL_DESCRIPTION_BYTES),
      tags: list(record.tags, `${field}.tags`, 0, MAX_SKILL_TAGS,
        (tag, tagField) => pattern(tag, tagField, SKILL_TAG_PATTERN, `1 to ${MAX_TAG_LENGTH} characters of [a-z0-9-], starting with [a-z0-9]`), same)
    }
    if (record.examples !== undefined) {
      skill.examples = list(record.examples, `${field}.examples`, 0, MAX_SKILL_EXAMPLES,
        (example, exampleField) => check.text(example, exampleField, 1, MAX_SKILL_EXAMPLE_BYTES), same)
    }
    for (const modes of ['inputModes', 'outputModes'] as const) {
      if (record[modes] !== undefined) skill[modes] = list(record[modes], `${field}.${modes}`, 0, MAX_SKILL_MODES, readMediaType, same)
    }
    return skill
  }, skill => skill.id)
}

function readModules (value: unknown): ManifestModule[] {
  const modules = list(value, 'modules', 1, MAX_MANIFEST_MODULES, (item, field) => {
    const record = check.jsonObject(item, field)
    check.exactMembers(record, MODULE_FIELDS, `${field}.`, ['entry'])
    const module: ManifestModule = {
      name: pattern(record.name, `${field}.name`, MODULE_NAME, `1 to ${MAX_MODULE_NAME_LENGTH} characters of [A-Za-z0-9._-], not starting with a dot`),
      sha256: check.hex256(record.sha256, `${field}.sha256`),
      size: check.safeInteger(record.size, `${field}.size`, 1, MAX_MODULE_BYTES)
    }
    if (record.entry !== undefined) {
      // Only `true`: absent is the one spelling of "not the entry".
      if (record.entry !== true) throw new InvalidAgentManifestError(`${field}.entry`, 'must be true when present')
      module.entry = true
    }
    return module
  }, module => module.name)
  const hashes = new Set(modules.map(module => module.sha256))
  if (hashes.size !== modules.length) throw new InvalidAgentManifestError('modules', 'must not name the same bytes (sha256) twice')
  if (modules.filter(module => module.entry === true).length !== 1) throw new InvalidAgentManifestError('modules', 'must mark exactly one module entry: true')
  return modules
}

function readArgs (value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new InvalidAgentManifestError(field, 'must be an array of strings')
  if (value.length > MAX_ARGS) throw new InvalidAgentManifestError(field, `must have at most ${MAX_ARGS} entries`)
  let total = 0
  const args = (value as unknown[]).map((arg, i) => {
    total += check.utf8Length(arg, `${field}[${i}]`, 0, MAX_ARG_BYTES)
    return arg as string
  })
  if (total > MAX_ARGS_AND_ENV_BYTES) throw new InvalidAgentManifestError(field, `must total at most ${MAX_ARGS_AND_ENV_BYTES} bytes of UTF-8`)
  return args
}

function readDefaults (value: unknown): ManifestDefaults {
  const record = check.jsonObject(value, 'defaults')
  check.exactMembers(record, DEFAULTS_FIELDS, 'defaults.', DEFAULTS_FIELDS)
  const defaults: ManifestDefaults = {}
  if (record.args !== undefined) defaults.args = readArgs(record.args, 'defaults.args')
  if (record.timeoutMs !== undefined) defaults.timeoutMs = check.safeInteger(record.timeoutMs, 'defaults.timeoutMs', MIN_TIMEOUT_MS, MAX_TIMEOUT_MS)
  if (record.memoryLimitBytes !== undefined) {
    defaults.memoryLimitBytes = check.safeInteger(record.memoryLimitBytes, 'defaults.memoryLimitBytes', MIN_MEMORY_LIMIT_BYTES, MAX_MEMORY_LIMIT_BYTES)
  }
  if (record.fuel !== undefined) defaults.fuel = check.safeInteger(record.fuel, 'defaults.fuel', 1, MAX_FUEL)
  return defaults
}

function readPriceHints (value: unknown): PriceSchedule {
  try {
    return checkPriceSchedule(value, 'priceHints')
  } catch (err) {
    // One error class per format: the schedule's own error becomes the manifest's, with the same field.
    if (err instanceof InvalidPriceScheduleError) throw new InvalidAgentManifestError(err.field, err.message.replace(/^price schedule field \S+: /, ''))
    throw err
  }
}

function readExampleBytes (value: unknown, field: string): ExampleBytes {
  const record = check.jsonObject(value, field)
  const [member, ...rest] = Object.keys(record)
  if (rest.length > 0 || (member !== 'text' && member !== 'base64url')) throw new InvalidAgentManifestError(field, 'must be { text } or { base64url }')
  if (member === 'text') return { text: check.text(record.text, `${field}.text`, 0, MAX_EXAMPLE_IO_BYTES) }
  let bytes: Uint8Array | undefined
  try {
    if (typeof record.base64url === 'string') bytes = base64UrlToBytes(record.base64url)
  } catch {
    // reported below
  }
  if (bytes === undefined) throw new InvalidAgentManifestError(`${field}.base64url`, 'must be unpadded base64url')
  if (bytes.length > MAX_EXAMPLE_IO_BYTES) throw new InvalidAgentManifestError(`${field}.base64url`, `must decode to at most ${MAX_EXAMPLE_IO_BYTES} bytes`)
  return { base64url: record.base64url as string }
}

function readExamples (value: unknown): ManifestExample[] {
  return list(value, 'examples', 0, MAX_MANIFEST_EXAMPLES, (item, field) => {
    const record = check.jsonObject(item, field)
    check.exactMembers(record, EXAMPLE_FIELDS, `${field}.`, ['args', 'expectedStdout'])
    const example: ManifestExample = { name: check.text(record.name, `${field}.name`, 1, MAX_EXAMPLE_NAME_BYTES), stdin: { text: '' } }
    if (record.args !== undefined) example.args = readArgs(record.args, `${field}.args`)
    example.stdin = readExampleBytes(record.stdin, `${field}.stdin`)
    if (record.expectedStdout !== undefined) example.expectedStdout = readExampleBytes(record.expectedStdout, `${field}.expectedStdout`)
    return example
  }, example => example.name)
}

function same (value: string): string {
  return value
}

function readMediaType (value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > MAX_MEDIA_TYPE_LENGTH || !MEDIA_TYPE.test(value)) {
    throw new InvalidAgentManifestError(field, `must be a lowercase media type, type/subtype (RFC 6838 §4.2), of at most ${MAX_MEDIA_TYPE_LENGTH} characters`)
  }
  return value
}
