import { describe, expect, it } from 'vitest'
import { MAX_SKILL_TAGS, formatSkillTags, parseSkillTags } from '../../../src/ui/skill-tags.ts'

describe('parseSkillTags', () => {
  it('gives no tags for an empty field', () => {
    expect(parseSkillTags('')).toEqual({ ok: true, value: [] })
    expect(parseSkillTags(' , ,  ')).toEqual({ ok: true, value: [] })
  })

  it('splits on commas and whitespace, lowercases and drops repeats', () => {
    expect(parseSkillTags('nlp, crypto  gpu-lite,NLP\ttext')).toEqual({ ok: true, value: ['nlp', 'crypto', 'gpu-lite', 'text'] })
  })

  it('accepts 32 characters and 8 tags', () => {
    const long = 'a'.repeat(32)
    expect(parseSkillTags(long)).toEqual({ ok: true, value: [long] })
    const eight = Array.from({ length: MAX_SKILL_TAGS }, (_, i) => `t${i}`)
    expect(parseSkillTags(eight.join(' '))).toEqual({ ok: true, value: eight })
  })

  it.each(['a'.repeat(33), 'c++', 'under_score', '-lead', 'ümlaut', 'a.b'])('refuses %j', (tag) => {
    const parsed = parseSkillTags(`ok ${tag}`)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toContain(`"${tag.toLowerCase()}" is not a tag`)
  })

  it('refuses a ninth tag', () => {
    const nine = Array.from({ length: MAX_SKILL_TAGS + 1 }, (_, i) => `t${i}`).join(',')
    expect(parseSkillTags(nine)).toEqual({ ok: false, error: 'At most 8 tags (got 9).' })
  })

  it('round-trips through formatSkillTags', () => {
    expect(parseSkillTags(formatSkillTags(['nlp', 'crypto']))).toEqual({ ok: true, value: ['nlp', 'crypto'] })
  })
})
