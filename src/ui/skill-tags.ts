/**
 * Pure parsing of the contribute form's skill-tags field: no DOM, so each rule
 * is unit-testable (test/unit/ui/skill-tags.test.ts). The rules are the Agent
 * Card schema's (`src/discovery/agent-card-schema.ts`), checked here first so
 * the form can say what is wrong before contributing starts.
 */
import { MAX_SKILL_TAGS, MAX_TAG_LENGTH } from '../app/index.ts'
import type { Parsed } from './task-inputs.ts'

export { MAX_SKILL_TAGS, MAX_TAG_LENGTH }

const TAG = new RegExp(`^[a-z0-9][a-z0-9-]{0,${MAX_TAG_LENGTH - 1}}$`)

/**
 * Splits on commas and whitespace, lowercases, drops repeats (keeping the first
 * order), and refuses the field when a tag breaks the schema or there are more
 * than eight.
 */
export function parseSkillTags (input: string): Parsed<string[]> {
  const tags = [...new Set(input.split(/[\s,]+/).filter((t) => t !== '').map((t) => t.toLowerCase()))]
  const bad = tags.find((t) => !TAG.test(t))
  if (bad !== undefined) {
    return { ok: false, error: `"${bad}" is not a tag: use 1 to ${MAX_TAG_LENGTH} characters of a–z, 0–9 and "-", starting with a letter or digit.` }
  }
  if (tags.length > MAX_SKILL_TAGS) {
    return { ok: false, error: `At most ${MAX_SKILL_TAGS} tags (got ${tags.length}).` }
  }
  return { ok: true, value: tags }
}

/** The field's text for a list of tags. */
export function formatSkillTags (tags: readonly string[]): string {
  return tags.join(', ')
}
