/**
 * Semantic Versioning 2.0.0 (https://semver.org/spec/v2.0.0.html): parsing,
 * precedence (§11) and the small set of ranges agent refs use (`1.2.3`,
 * `^1.2`, `~1.2.3`, `1.x`-style partials, `*`), with npm's meaning of `^`
 * and `~` and its rule that a prerelease satisfies a range only when the
 * range itself names a prerelease of the same major.minor.patch. No
 * dependency: `semver` is not one of the project's, and this is all refs need.
 */
import { MAX_VERSION_LENGTH } from './constants.ts'
import { InvalidVersionError } from './errors.ts'

/** A parsed version. Build metadata is kept for display, and ignored by precedence (§10). */
export interface SemVer {
  major: number
  minor: number
  patch: number
  /** Dot-separated prerelease identifiers (§9); empty for a normal version. */
  prerelease: readonly string[]
  /** Dot-separated build identifiers (§10); empty when none. */
  build: readonly string[]
  /** The version as written. */
  text: string
}

/** A range a ref names, in the form `satisfies` reads. */
export interface VersionRange {
  /** `any` (`*` or no version), `exact`, `caret` (`^`), `tilde` (`~`) or `partial` (`1`, `1.2`). */
  kind: 'any' | 'exact' | 'caret' | 'tilde' | 'partial'
  /** The range as written (`^1.2`); `*` for any. */
  text: string
  /** Lowest version included; undefined for `any`. */
  min?: SemVer
  /** First version excluded (its tuple: prereleases of it are excluded too); undefined when unbounded or exact. */
  max?: SemVer
}

// The regular expression semver.org suggests (§ "Is there a suggested regular expression"), numbered groups.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/
const NUMERIC = /^(0|[1-9]\d*)$/
const PARTIAL = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?$/

/** Parses a SemVer 2.0.0 version; throws InvalidVersionError. Numbers above 2^53 − 1 are refused (they would not compare exactly). */
export function parseSemVer (text: unknown): SemVer {
  if (typeof text !== 'string') throw new InvalidVersionError('a version must be a string')
  if (text.length > MAX_VERSION_LENGTH) throw new InvalidVersionError(`a version is at most ${MAX_VERSION_LENGTH} characters`)
  const match = SEMVER.exec(text)
  if (match === null) throw new InvalidVersionError(`${JSON.stringify(text)} is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD])`)
  return {
    major: safeNumber(match[1]!, text),
    minor: safeNumber(match[2]!, text),
    patch: safeNumber(match[3]!, text),
    prerelease: match[4] === undefined ? [] : match[4].split('.'),
    build: match[5] === undefined ? [] : match[5].split('.'),
    text
  }
}

/** True when `text` is a SemVer 2.0.0 version parseSemVer accepts. */
export function isSemVer (text: unknown): text is string {
  try {
    parseSemVer(text)
    return true
  } catch {
    return false
  }
}

/** SemVer §11 precedence: negative if a < b, 0 if equal (build metadata ignored), positive if a > b. */
export function compareSemVer (a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch
  if (core !== 0) return Math.sign(core)
  // §11.3: a prerelease version has lower precedence than the normal version.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return Math.sign(b.prerelease.length - a.prerelease.length)
  // §11.4: identifier by identifier; a longer list wins when all before are equal.
  const n = Math.min(a.prerelease.length, b.prerelease.length)
  for (let i = 0; i < n; i++) {
    const order = compareIdentifier(a.prerelease[i]!, b.prerelease[i]!)
    if (order !== 0) return order
  }
  return Math.sign(a.prerelease.length - b.prerelease.length)
}

/**
 * Parses a range: `*` (or the empty string) for any normal version; an exact
 * version; `^V` and `~V` where V is 1 to 3 numbers, with a prerelease only
 * after 3; or a partial `1` / `1.2` (as npm's `1.x` / `1.2.x`).
 *
 * | range | means |
 * |---|---|
 * | `^1.2.3` | ≥ 1.2.3 < 2.0.0 |
 * | `^0.2.3` | ≥ 0.2.3 < 0.3.0 |
 * | `^0.0.3` | ≥ 0.0.3 < 0.0.4 |
 * | `^1.2`, `^1` | ≥ 1.2.0 < 2.0.0, ≥ 1.0.0 < 2.0.0 |
 * | `^0.2`, `^0.0`, `^0` | ≥ 0.2.0 < 0.3.0, ≥ 0.0.0 < 0.1.0, ≥ 0.0.0 < 1.0.0 |
 * | `~1.2.3`, `~1.2` | ≥ 1.2.3 < 1.3.0, ≥ 1.2.0 < 1.3.0 |
 * | `~1`, `1` | ≥ 1.0.0 < 2.0.0 |
 * | `1.2` | ≥ 1.2.0 < 1.3.0 |
 */
export function parseVersionRange (text: unknown): VersionRange {
  if (typeof text !== 'string') throw new InvalidVersionError('a version range must be a string')
  if (text === '' || text === '*') return { kind: 'any', text: '*' }
  if (text.length > MAX_VERSION_LENGTH + 1) throw new InvalidVersionError(`a version range is at most ${MAX_VERSION_LENGTH + 1} characters`)
  const operator = text[0] === '^' ? 'caret' : text[0] === '~' ? 'tilde' : undefined
  const body = operator === undefined ? text : text.slice(1)
  const partial = PARTIAL.exec(body)
  if (partial === null) {
    // Only a full version may carry a prerelease or build metadata.
    const min = parseSemVer(body)
    if (operator === undefined) return { kind: 'exact', text, min }
    return { kind: operator, text, min, max: upperBound(operator, [min.major, min.minor, min.patch], 3) }
  }
  const numbers = [partial[1], partial[2], partial[3]].filter(part => part !== undefined).map(part => safeNumber(part, text))
  const [major = 0, minor = 0, patch = 0] = numbers
  const min = version(major, minor, patch)
  if (operator === undefined) {
    if (numbers.length === 3) return { kind: 'exact', text, min }
    return { kind: 'partial', text, min, max: upperBound('tilde', [major, minor, patch], numbers.length) }
  }
  return { kind: operator, text, min, max: upperBound(operator, [major, minor, patch], numbers.length) }
}

/**
 * True when `v` is in `range`. A prerelease is in a range only when the range
 * names a prerelease with the same major.minor.patch (npm's rule): `^1.2`
 * never picks 2.0.0-rc.1 nor 1.3.0-beta, `^1.3.0-beta.1` may pick 1.3.0-beta.2.
 */
export function satisfies (v: SemVer, range: VersionRange): boolean {
  const { min, max } = range
  if (min === undefined) return v.prerelease.length === 0
  if (range.kind === 'exact') return compareSemVer(v, min) === 0
  if (v.prerelease.length > 0 && !(min.prerelease.length > 0 && v.major === min.major && v.minor === min.minor && v.patch === min.patch)) return false
  if (compareSemVer(v, min) < 0) return false
  // `< max` with max's own prereleases excluded too: compare the tuples only.
  return max === undefined || compareSemVer({ ...v, prerelease: [] }, max) < 0
}

function upperBound (operator: 'caret' | 'tilde', [major, minor, patch]: number[], given: number): SemVer | undefined {
  if (operator === 'tilde') return given >= 2 ? version(major!, minor! + 1, 0) : version(major! + 1, 0, 0)
  // Caret: the first non-zero number among those given may not change (npm).
  if (major! > 0 || given === 1) return version(major! + 1, 0, 0)
  if (minor! > 0 || given === 2) return version(0, minor! + 1, 0)
  return version(0, 0, patch! + 1)
}

function version (major: number, minor: number, patch: number): SemVer {
  return { major, minor, patch, prerelease: [], build: [], text: `${major}.${minor}.${patch}` }
}

/** §11.4.1–3: numeric identifiers numerically, below alphanumeric ones, which compare in ASCII order. */
function compareIdentifier (a: string, b: string): number {
  const aNumeric = NUMERIC.test(a)
  const bNumeric = NUMERIC.test(b)
  if (aNumeric && bNumeric) {
    // No leading zeros (§9), so the longer is the larger; this holds beyond 2^53 too.
    return Math.sign(a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0)
  }
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

function safeNumber (digits: string, text: string): number {
  const value = Number(digits)
  if (!Number.isSafeInteger(value)) throw new InvalidVersionError(`${JSON.stringify(text)}: ${digits} is above 2^53 − 1`)
  return value
}
