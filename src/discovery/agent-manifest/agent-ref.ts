/**
 * Agent refs: how a workflow names an agent (`agent: name@version`). A ref is
 * a name and a version range (semver.ts); which author's agent it means is
 * the registry's question (registry.ts), since the name alone is not an identity.
 *
 * @example
 * parseAgentRef('sentiment')          // any normal version, the newest wins
 * parseAgentRef('sentiment@1.4.2')    // exactly 1.4.2
 * parseAgentRef('sentiment@^1.2')     // ≥ 1.2.0 < 2.0.0
 */
import { MAX_AGENT_NAME_LENGTH } from './constants.ts'
import { InvalidAgentRefError, InvalidVersionError } from './errors.ts'
import { parseVersionRange } from './semver.ts'
import type { VersionRange } from './semver.ts'

/** An agent's `name`: 1–64 characters of [a-z0-9-], first [a-z0-9]. Lowercase only, so `Sentiment` and `sentiment` are never two names. */
export const AGENT_NAME_PATTERN = new RegExp(`^[a-z0-9][a-z0-9-]{0,${MAX_AGENT_NAME_LENGTH - 1}}$`)

export function isAgentName (value: unknown): value is string {
  return typeof value === 'string' && AGENT_NAME_PATTERN.test(value)
}

export interface AgentRef {
  name: string
  range: VersionRange
  /** The ref as written. */
  text: string
}

/** Parses `name`, `name@version` or `name@range` (`^1.2`, `~1.2.3`, `1`, `*`); throws InvalidAgentRefError. */
export function parseAgentRef (text: unknown): AgentRef {
  if (typeof text !== 'string') throw new InvalidAgentRefError('an agent ref must be a string')
  const at = text.indexOf('@')
  const name = at === -1 ? text : text.slice(0, at)
  if (!isAgentName(name)) {
    throw new InvalidAgentRefError(`agent ref ${JSON.stringify(text)}: the name must be 1 to ${MAX_AGENT_NAME_LENGTH} characters of [a-z0-9-], starting with [a-z0-9]`)
  }
  if (at === -1) return { name, range: parseVersionRange('*'), text }
  const rangeText = text.slice(at + 1)
  if (rangeText === '') throw new InvalidAgentRefError(`agent ref ${JSON.stringify(text)}: nothing after @`)
  try {
    return { name, range: parseVersionRange(rangeText), text }
  } catch (err) {
    if (err instanceof InvalidVersionError) throw new InvalidAgentRefError(`agent ref ${JSON.stringify(text)}: ${err.message}`)
    throw err
  }
}
