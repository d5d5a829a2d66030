/**
 * One rule for skill tags, shared by the Agent Card schema and the app: a tag
 * the schema refuses (e.g. one starting with "-") must be refused before the
 * card is signed, or signing would fail at every refresh.
 */
import { describe, expect, it } from 'vitest'
import { InvalidAgentCardError, MAX_SKILL_TAGS, checkSkillTags, isSkillTag, signAgentCard } from '../../../src/discovery/index.ts'
import type { AgentCardFields } from '../../../src/discovery/index.ts'
import { exampleFields, peer } from './fixtures.ts'
import { thrown } from '../../support/rejection.ts'

describe('skill tags', () => {
  it('accepts the tags the card schema accepts', () => {
    expect(checkSkillTags(['nlp', 'image-2', '0x'])).toEqual(['nlp', 'image-2', '0x'])
    expect(checkSkillTags([])).toEqual([])
    expect(isSkillTag('a'.repeat(32))).toBe(true)
  })

  it('refuses a tag starting with "-", upper case, empty, too long, repeated, or too many', () => {
    for (const tags of [['-nlp'], ['NLP'], [''], ['a'.repeat(33)], ['nlp', 'nlp'], Array.from({ length: MAX_SKILL_TAGS + 1 }, (_, i) => `t${i}`)]) {
      expect(thrown(() => checkSkillTags(tags)).name).toBe(RangeError.name)
    }
    expect(thrown(() => checkSkillTags('nlp')).name).toBe(TypeError.name)
    expect(isSkillTag('-nlp')).toBe(false)
  })

  it('is the rule the Agent Card schema applies: what checkSkillTags refuses, signing refuses, and the reverse', async () => {
    const identity = await peer()
    const withTags = (tags: string[]): AgentCardFields => {
      const fields = exampleFields(identity)
      return { ...fields, skills: [{ ...fields.skills[0]!, tags }] }
    }
    await expect(signAgentCard(withTags(['-nlp']), identity)).rejects.toMatchObject({ name: InvalidAgentCardError.name })
    await expect(signAgentCard(withTags(['nlp', 'nlp']), identity)).rejects.toMatchObject({ name: InvalidAgentCardError.name })
    const card = await signAgentCard(withTags(checkSkillTags(['nlp', 'image-2'])), identity)
    expect(card.skills[0]!.tags).toEqual(['nlp', 'image-2'])
  })
})
