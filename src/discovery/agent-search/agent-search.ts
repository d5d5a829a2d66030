/**
 * Search over published agents by text and tags: the marketplace's search.
 * Each agent (author, name) is a point in a 1024-dimension space computed from
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
import { stemmer } from 'stemmer'
import { HnswIndex } from '../hnsw/index.ts'
import { addHashedFeatures } from '../feature-hashing.ts'
import type { AgentManifest } from '../agent-manifest/index.ts'

export const AGENT_SEARCH_DIMENSIONS = 1024

/** What the search reads of a manifest. */
export type SearchableManifest = Pick<AgentManifest, 'author' | 'name' | 'description' | 'skills'>
/** Domain separation of the agent search vector's feature hashes. */
const FEATURE_PREFIX = 'zerostate/agent-search/1/'
/** What a user most likely types is a name part or a tag: they weigh more than a word of a description. */
const WEIGHTS = { name: 3, tag: 3, skill: 2, mode: 1, word: 1 } as const
/** Words too common to tell agents apart. */
const STOPWORDS = new Set(['the', 'and', 'for', 'with', 'from', 'into', 'that', 'this', 'these', 'those', 'which', 'what', 'its', 'are', 'each', 'one', 'per', 'a', 'an', 'of', 'to', 'in', 'on', 'or', 'as', 'by', 'is', 'it', 'be', 'can', 'will', 'than', 'then', 'there', 'their', 'them', 'all', 'any', 'some', 'make', 'do', 'me', 'my', 'i'])
const MAX_QUERY_WORDS = 32
/** Candidates taken from the HNSW index per hit asked for, and at least this many: the exact score reorders them. */
const CANDIDATES_PER_HIT = 4
const MIN_CANDIDATES = 64
const MAX_EF = 400

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
  /** The share of the query's weight the agent matches, in (0, 1]; 1 for an empty query (every agent matches). */
  score: number
}

export class AgentSearch {
  private readonly hnsw: HnswIndex
  private readonly tagsOf = new Map<string, ReadonlySet<string>>()
  private readonly featuresOf = new Map<string, ReadonlyMap<string, number>>()

  constructor (init: AgentSearchInit) {
    this.hnsw = new HnswIndex({ dimensions: AGENT_SEARCH_DIMENSIONS, metric: 'cosine', random: init.random })
  }

  /** Indexes (or re-indexes) the agent of `manifest` by that manifest: give it each agent's newest version. */
  index (manifest: SearchableManifest): void {
    const id = idOf(manifest.author, manifest.name)
    const features = manifestFeatures(manifest)
    this.hnsw.insert(id, hashed(features))
    this.featuresOf.set(id, features)
    this.tagsOf.set(id, new Set(manifest.skills.flatMap(skill => skill.tags)))
  }

  remove (author: string, name: string): boolean {
    const id = idOf(author, name)
    this.tagsOf.delete(id)
    this.featuresOf.delete(id)
    return this.hnsw.delete(id)
  }

  get size (): number {
    return this.tagsOf.size
  }

  /**
   * The agents matching `text` among those with every tag of `options.tags`,
   * best first; all of them (by id) for an empty text. The HNSW index gives
   * the candidates nearest the query; each is then scored exactly by the
   * query's words it has (a name part or tag weighs 3, a skill id 2, a word of
   * its descriptions 1, each word counted once at its best), which hashed
   * vectors only approximate: with many features, the collisions of feature
   * hashing are as large as one shared word.
   */
  search (text: string, options: AgentSearchOptions = {}): AgentSearchHit[] {
    const k = options.k ?? 20
    const wanted = (options.tags ?? []).map(tag => tag.toLowerCase())
    const admits = (id: string): boolean => { const tags = this.tagsOf.get(id); return tags !== undefined && wanted.every(tag => tags.has(tag)) }
    const terms = queryTerms(text)
    if (terms.length === 0) {
      return [...this.tagsOf.keys()].filter(admits).sort().slice(0, k).map(id => ({ ...splitId(id), score: 1 }))
    }
    // More candidates than wanted, ef at least the whole index when it is small: the exact score reorders them.
    const candidates = Math.max(k * CANDIDATES_PER_HIT, MIN_CANDIDATES)
    const hits = this.hnsw.search(hashed(queryFeatures(terms)), candidates, { ef: Math.max(candidates, Math.min(this.tagsOf.size, MAX_EF)), filter: admits })
    return hits
      .map(hit => ({ ...splitId(hit.id), score: termScore(terms, this.featuresOf.get(hit.id)!), near: 1 - hit.distance }))
      .filter(hit => hit.score > 0)
      .sort((a, b) => b.score - a.score || b.near - a.near)
      .slice(0, k)
      .map(({ near: _, ...hit }) => hit)
  }
}

/** What the search reads of a manifest, as weighted features (see the module comment). */
function manifestFeatures (manifest: SearchableManifest): Map<string, number> {
  const features = new Map<string, number>()
  // A feature counts once, at its highest weight: a long description repeating a word must not outweigh a name.
  const add = (feature: string, weight: number): void => { features.set(feature, Math.max(features.get(feature) ?? 0, weight)) }
  for (const part of manifest.name.split(/[-.]/)) if (part !== '') add(`name:${stem(part)}`, WEIGHTS.name)
  for (const word of words(manifest.description)) add(`word:${word}`, WEIGHTS.word)
  for (const skill of manifest.skills) {
    for (const part of skill.id.split(/[-._]/)) if (part !== '') add(`skill:${stem(part)}`, WEIGHTS.skill)
    for (const tag of skill.tags) add(`tag:${stem(tag)}`, WEIGHTS.tag)
    for (const word of words(`${skill.name} ${skill.description} ${(skill.examples ?? []).join(' ')}`)) add(`word:${word}`, WEIGHTS.word)
    for (const mode of [...(skill.inputModes ?? []), ...(skill.outputModes ?? [])]) add(`mode:${mode}`, WEIGHTS.mode)
  }
  return features
}

/** The manifest's point in the search space. */
export function manifestVector (manifest: SearchableManifest): Float32Array {
  return hashed(manifestFeatures(manifest))
}

/** A query's point: each word as every feature it could mean; undefined when it has no words. */
export function queryVector (text: string): Float32Array | undefined {
  const terms = queryTerms(text)
  return terms.length === 0 ? undefined : hashed(queryFeatures(terms))
}

/** The query's distinct words, a media type also as its parts (`image/png` is about images). */
function queryTerms (text: string): string[] {
  const terms = words(text, 1)
  const parts = terms.filter(term => term.includes('/')).flatMap(term => words(term.replace('/', ' '), 1))
  return [...new Set([...terms, ...parts])].slice(0, MAX_QUERY_WORDS)
}

function queryFeatures (terms: readonly string[]): Map<string, number> {
  const features = new Map<string, number>()
  for (const term of terms) {
    if (term.includes('/')) {
      features.set(`mode:${term}`, WEIGHTS.mode)
      continue
    }
    for (const kind of ['name', 'tag', 'skill', 'word'] as const) features.set(`${kind}:${term}`, WEIGHTS[kind])
  }
  return features
}

/** Σ over the query's terms of the best weight the agent has for it, over the most a term can weigh: in [0, 1]. */
function termScore (terms: readonly string[], features: ReadonlyMap<string, number>): number {
  let sum = 0
  for (const term of terms) {
    const kinds = term.includes('/') ? ['mode'] : ['name', 'tag', 'skill', 'word']
    sum += Math.max(0, ...kinds.map(kind => features.get(`${kind}:${term}`) ?? 0))
  }
  return sum / (terms.length * Math.max(WEIGHTS.name, WEIGHTS.tag))
}

function hashed (features: ReadonlyMap<string, number>): Float32Array {
  const v = new Float64Array(AGENT_SEARCH_DIMENSIONS)
  addHashedFeatures(v, { start: 0, size: AGENT_SEARCH_DIMENSIONS, length: 1, prefix: FEATURE_PREFIX }, features)
  return Float32Array.from(v)
}

/**
 * Lowercase words of letters and digits (media types kept whole), without
 * stopwords, stemmed: `Detects languages` → `detect`, `languag`.
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

/** Porter's stem (`compresses`, `compressing` → `compress`; `detection` → `detect`), so a name, a tag and a query's words meet. */
function stem (word: string): string {
  return /^[a-z]+$/.test(word) ? stemmer(word) : word
}

function idOf (author: string, name: string): string {
  return `${author}/${name}`
}

function splitId (id: string): { author: string, name: string } {
  const slash = id.indexOf('/')
  return { author: id.slice(0, slash), name: id.slice(slash + 1) }
}
