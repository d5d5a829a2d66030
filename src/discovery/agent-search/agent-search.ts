/**
 * Search over published agents by text and tags: the marketplace's search.
 * Each agent (author, name) is a point in a 256-dimension space computed from
 * its newest manifest — name tokens, skill ids and tags, words of its
 * descriptions and examples, media types — by signed feature hashing, kept in
 * an HNSW index (cosine). A query's words are hashed as every kind of feature
 * a user might mean (a word, a tag, a name part), so `detect language` finds
 * the agent tagged `language` named `lang-detect`. Tags given apart are a hard
 * filter: every one must be among the agent's tags. Pure: the index is given
 * its randomness.
 *
 * @example
 * const search = new AgentSearch({ random: mulberry32(1) })
 * for (const entry of registry.list()) search.index(entry.latest)
 * search.search('detect language', { tags: ['nlp'], k: 10 })   // [{ author, name, score }]
 */
import { HnswIndex } from '../hnsw/index.ts'
import { addHashedFeatures } from '../feature-hashing.ts'
import type { AgentManifest } from '../agent-manifest/index.ts'

export const AGENT_SEARCH_DIMENSIONS = 256

/** What the search reads of a manifest. */
export type SearchableManifest = Pick<AgentManifest, 'author' | 'name' | 'description' | 'skills'>
/** Domain separation of the agent search vector's feature hashes. */
const FEATURE_PREFIX = 'zerostate/agent-search/1/'
/** What a user most likely types is a name part or a tag: they weigh more than a word of a description. */
const WEIGHTS = { name: 3, tag: 3, skill: 2, mode: 1, word: 1 } as const
/** Words too common to tell agents apart. */
const STOPWORDS = new Set(['the', 'and', 'for', 'with', 'from', 'into', 'that', 'this', 'its', 'are', 'each', 'one', 'per', 'a', 'an', 'of', 'to', 'in', 'on', 'or', 'as', 'by', 'is', 'it', 'be'])
const MAX_QUERY_WORDS = 32

export interface AgentSearchInit {
  /** Uniform in [0, 1): the HNSW level draws. */
  random: () => number
}

export interface AgentSearchOptions {
  /** Every tag given must be one of the agent's skill tags (lowercase). */
  tags?: string[]
  /** Most hits; default 20. */
  k?: number
}

export interface AgentSearchHit {
  author: string
  name: string
  /** Cosine similarity in [−1, 1]; 1 for an empty query (every agent matches). */
  score: number
}

export class AgentSearch {
  private readonly hnsw: HnswIndex
  private readonly tagsOf = new Map<string, ReadonlySet<string>>()

  constructor (init: AgentSearchInit) {
    this.hnsw = new HnswIndex({ dimensions: AGENT_SEARCH_DIMENSIONS, metric: 'cosine', random: init.random })
  }

  /** Indexes (or re-indexes) the agent of `manifest` by that manifest: give it each agent's newest version. */
  index (manifest: SearchableManifest): void {
    const id = idOf(manifest.author, manifest.name)
    this.hnsw.insert(id, manifestVector(manifest))
    this.tagsOf.set(id, new Set(manifest.skills.flatMap(skill => skill.tags)))
  }

  remove (author: string, name: string): boolean {
    const id = idOf(author, name)
    this.tagsOf.delete(id)
    return this.hnsw.delete(id)
  }

  get size (): number {
    return this.tagsOf.size
  }

  /** The agents nearest `text` among those with every tag of `options.tags`, best first; all of them (by name) for an empty text. */
  search (text: string, options: AgentSearchOptions = {}): AgentSearchHit[] {
    const k = options.k ?? 20
    const wanted = (options.tags ?? []).map(tag => tag.toLowerCase())
    const admits = (id: string): boolean => { const tags = this.tagsOf.get(id); return tags !== undefined && wanted.every(tag => tags.has(tag)) }
    const query = queryVector(text)
    if (query === undefined) {
      return [...this.tagsOf.keys()].filter(admits).sort().slice(0, k).map(id => ({ ...splitId(id), score: 1 }))
    }
    // ef at least the whole index when it is small: a marketplace wants every match, not an approximation of them.
    const hits = this.hnsw.search(query, k, { ef: Math.max(k, Math.min(this.tagsOf.size, 400)), filter: admits })
    return hits
      .map(hit => ({ ...splitId(hit.id), score: 1 - hit.distance }))
      .filter(hit => hit.score > 0)
  }
}

/** The manifest's point in the search space (see the module comment). */
export function manifestVector (manifest: SearchableManifest): Float32Array {
  const features = new Map<string, number>()
  const add = (feature: string, weight: number): void => { features.set(feature, (features.get(feature) ?? 0) + weight) }
  for (const part of manifest.name.split(/[-.]/)) if (part !== '') add(`name:${stem(part)}`, WEIGHTS.name)
  for (const word of words(manifest.description)) add(`word:${word}`, WEIGHTS.word)
  for (const skill of manifest.skills) {
    for (const part of skill.id.split(/[-._]/)) if (part !== '') add(`skill:${stem(part)}`, WEIGHTS.skill)
    for (const tag of skill.tags) add(`tag:${stem(tag)}`, WEIGHTS.tag)
    for (const word of words(`${skill.name} ${skill.description} ${(skill.examples ?? []).join(' ')}`)) add(`word:${word}`, WEIGHTS.word)
    for (const mode of [...(skill.inputModes ?? []), ...(skill.outputModes ?? [])]) add(`mode:${mode}`, WEIGHTS.mode)
  }
  const v = new Float64Array(AGENT_SEARCH_DIMENSIONS)
  addHashedFeatures(v, { start: 0, size: AGENT_SEARCH_DIMENSIONS, length: 1, prefix: FEATURE_PREFIX }, features)
  return Float32Array.from(v)
}

/** A query's point: each word as every feature it could mean; undefined when it has no words. */
export function queryVector (text: string): Float32Array | undefined {
  const features = new Map<string, number>()
  const terms = [...new Set(words(text, 1))].slice(0, MAX_QUERY_WORDS)
  if (terms.length === 0) return undefined
  for (const term of terms) {
    for (const kind of ['name', 'tag', 'skill', 'word'] as const) features.set(`${kind}:${term}`, WEIGHTS[kind])
    if (term.includes('/')) features.set(`mode:${term}`, WEIGHTS.mode)
  }
  // A media type is also its parts: `image/png` is about images.
  for (const part of terms.filter(term => term.includes('/')).flatMap(term => words(term.replace('/', ' '), 1))) {
    for (const kind of ['tag', 'word'] as const) features.set(`${kind}:${part}`, WEIGHTS[kind])
  }
  const v = new Float64Array(AGENT_SEARCH_DIMENSIONS)
  addHashedFeatures(v, { start: 0, size: AGENT_SEARCH_DIMENSIONS, length: 1, prefix: FEATURE_PREFIX }, features)
  return Float32Array.from(v)
}

/**
 * Lowercase words of letters and digits (media types kept whole), without
 * stopwords, a plural `s` taken off: `Detects languages` → `detect`, `language`.
 */
function words (text: string, minLength = 3): string[] {
  const found: string[] = []
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+(?:\/[\p{L}\p{N}.+-]+)?/gu)) {
    const word = match[0]
    if (word.includes('/')) {
      found.push(word)
      continue
    }
    if (word.length < minLength || STOPWORDS.has(word)) continue
    found.push(stem(word))
  }
  return found
}

/** A plural `s` taken off (`languages` → `language`, not `class`): enough for names and tags to meet queries. */
function stem (word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word
}

function idOf (author: string, name: string): string {
  return `${author}/${name}`
}

function splitId (id: string): { author: string, name: string } {
  const slash = id.indexOf('/')
  return { author: id.slice(0, slash), name: id.slice(slash + 1) }
}
