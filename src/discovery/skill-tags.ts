/**
 * The one rule for skill tags (docs/agent-card.md, `skills[].tags`), used by
 * the card schema that verifies cards, by the app before it signs its own
 * card, and by the contribute form: a tag the schema would refuse must never
 * get as far as signing (it would then fail every refresh).
 */
import { MAX_SKILL_TAGS, MAX_TAG_LENGTH } from './constants.ts'

/** 1 to MAX_TAG_LENGTH characters of [a-z0-9-], starting with [a-z0-9]. */
export const SKILL_TAG_PATTERN = new RegExp(`^[a-z0-9][a-z0-9-]{0,${MAX_TAG_LENGTH - 1}}$`)

export function isSkillTag (tag: unknown): tag is string {
  return typeof tag === 'string' && SKILL_TAG_PATTERN.test(tag)
}

/**
 * Returns a copy of `tags` when it is a list the Agent Card schema accepts:
 * at most MAX_SKILL_TAGS distinct tags, each matching SKILL_TAG_PATTERN.
 * Throws RangeError naming the first problem otherwise (TypeError for a
 * value that is not an array).
 */
export function checkSkillTags (tags: unknown): string[] {
  if (!Array.isArray(tags)) throw new TypeError('skill tags must be an array of strings')
  const bad = tags.find(tag => !isSkillTag(tag))
  if (bad !== undefined) {
    throw new RangeError(`skill tags are 1–${MAX_TAG_LENGTH} characters of [a-z0-9-], starting with a letter or digit; got ${JSON.stringify(bad)}`)
  }
  if (tags.length > MAX_SKILL_TAGS) throw new RangeError(`at most ${MAX_SKILL_TAGS} skill tags, got ${tags.length}`)
  if (new Set(tags).size !== tags.length) throw new RangeError('skill tags must be distinct')
  return [...tags] as string[]
}
