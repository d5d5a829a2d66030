import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../src/core/mulberry32.ts'
import { AgentSearch, manifestVector, queryVector } from '../../../../src/discovery/agent-search/index.ts'
import type { AgentManifest, ManifestSkill } from '../../../../src/discovery/agent-manifest/index.ts'

const ALICE = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAlice1'
const BOB = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBob12'

function agent (author: string, name: string, description: string, skills: Array<Partial<ManifestSkill>>): AgentManifest {
  return {
    author,
    name,
    description,
    skills: skills.map((skill, i) => ({ id: `skill-${i}`, name, description, tags: [], ...skill }))
  } as AgentManifest
}

const LANG = agent(ALICE, 'lang-detect', 'Detects the language of each line of text.', [{ id: 'detect', tags: ['nlp', 'language'], inputModes: ['text/plain'] }])
const GZIP = agent(ALICE, 'gzip', 'Compresses its input with DEFLATE.', [{ id: 'compress', tags: ['compression'] }])
const CROP = agent(BOB, 'image-crop', 'Crops a picture to the given box.', [{ id: 'crop', tags: ['image'], inputModes: ['image/png', 'image/jpeg'] }])
const FACES = agent(BOB, 'faces', 'Finds faces in a photo and names their expressions.', [{ id: 'expressions', tags: ['image', 'vision'] }])

function indexed (): AgentSearch {
  const search = new AgentSearch({ random: mulberry32(7) })
  for (const manifest of [LANG, GZIP, CROP, FACES]) search.index(manifest)
  return search
}

describe('AgentSearch', () => {
  it('finds an agent by the words a user would type, best first', () => {
    const search = indexed()
    expect(search.search('detect languages')[0]).toMatchObject({ author: ALICE, name: 'lang-detect' })
    expect(search.search('compress')[0]?.name).toBe('gzip')
    expect(search.search('face expression')[0]?.name).toBe('faces')
    expect(search.search('image/png')[0]?.name).toBe('image-crop')
  })

  it('keeps only agents with every tag asked for', () => {
    const search = indexed()
    expect(search.search('', { tags: ['image'] }).map(hit => hit.name)).toEqual(['faces', 'image-crop'])
    expect(search.search('photo', { tags: ['vision'] }).map(hit => hit.name)).toEqual(['faces'])
    expect(search.search('crop', { tags: ['vision'] })).toEqual([])
    expect(search.search('anything', { tags: ['nope'] })).toEqual([])
  })

  it('lists every agent for an empty query, and forgets removed ones', () => {
    const search = indexed()
    expect(search.search('   ')).toHaveLength(4)
    expect(search.remove(ALICE, 'gzip')).toBe(true)
    expect(search.size).toBe(3)
    expect(search.search('compress').map(hit => hit.name)).not.toContain('gzip')
  })

  it('re-indexes an agent by its newer manifest', () => {
    const search = indexed()
    search.index(agent(ALICE, 'gzip', 'Now it translates text.', [{ id: 'translate', tags: ['nlp', 'translation'] }]))
    expect(search.size).toBe(4)
    expect(search.search('translation')[0]?.name).toBe('gzip')
    expect(search.search('', { tags: ['compression'] })).toEqual([])
  })

  it('gives deterministic unit vectors, and no query vector for text without words', () => {
    const v = manifestVector(LANG)
    expect(manifestVector(LANG)).toEqual(v)
    expect(Math.hypot(...v)).toBeCloseTo(1, 5)
    expect(queryVector(' , . ')).toBeUndefined()
  })
})
