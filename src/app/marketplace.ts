/**
 * The marketplace's view of published agents: one listing per agent (author,
 * name) from its newest held manifest, with the record the mesh has seen of
 * its entry module's runs, and the text-and-tags search over them
 * (discovery/agent-search: an HNSW index over the manifests' features).
 */
import { mulberry32 } from '../core/mulberry32.ts'
import { agentManifestHash, authorTag, entryModule } from '../discovery/agent-manifest/index.ts'
import type { AgentEntry, ManifestExample, ManifestSkill } from '../discovery/agent-manifest/index.ts'
import { AgentSearch } from '../discovery/agent-search/index.ts'
import type { AgentRunStats } from '../trust/agent-stats/index.ts'

/** One agent as the marketplace shows it. */
export interface AgentListing {
  /** `author/name`: what the list is keyed by. */
  id: string
  author: string
  /** The end of the author's PeerId, shown beside a name several authors publish. */
  authorTag: string
  name: string
  /** `name`, or `name (authorTag)` when several authors publish the name. */
  displayName: string
  /** The newest held version, and every held version newest first. */
  version: string
  versions: string[]
  /** `name@version`: what a workflow step's `agent:` names to pin this version. */
  ref: string
  description: string
  licence: string
  homepage: string | null
  skills: ManifestSkill[]
  /** Every tag of every skill, sorted, once. */
  tags: string[]
  /** The entry module: what a task of the agent runs (and what its receipts name). */
  moduleHash: string
  moduleSize: number
  manifestHash: string
  publishedAt: number
  /** The first example's input, to fill the Run form with. */
  example: ManifestExample | null
  /** Published by this peer's key. */
  own: boolean
  /** What the mesh has seen of its runs; null before any. */
  record: AgentRunStats | null
}

/** The listings of `entries` (the registry's, by name then author), each with its entry module's record. */
export function agentListings (entries: readonly AgentEntry[], recordOf: (moduleHash: string) => AgentRunStats | undefined, ownPeerId: string): AgentListing[] {
  return entries.map(entry => {
    const manifest = entry.latest
    const module = entryModule(manifest)
    return {
      id: `${entry.author}/${entry.name}`,
      author: entry.author,
      authorTag: authorTag(entry.author),
      name: entry.name,
      displayName: entry.displayName,
      version: manifest.version,
      versions: entry.versions.map(version => version.version),
      ref: `${entry.name}@${manifest.version}`,
      description: manifest.description,
      licence: manifest.licence,
      homepage: manifest.homepage,
      skills: manifest.skills,
      tags: [...new Set(manifest.skills.flatMap(skill => skill.tags))].sort(),
      moduleHash: module.sha256,
      moduleSize: module.size,
      manifestHash: agentManifestHash(manifest),
      publishedAt: manifest.publishedAt,
      example: manifest.examples[0] ?? null,
      own: entry.author === ownPeerId,
      record: recordOf(module.sha256) ?? null
    }
  })
}

/** Every tag of the listings, sorted, once: the marketplace's tag filter. */
export function listingTags (listings: readonly AgentListing[]): string[] {
  return [...new Set(listings.flatMap(listing => listing.tags))].sort()
}

/**
 * The index of the newest set of manifests searched: the listings array is
 * replaced whenever an agent's record changes (every receipt kept), but the
 * index depends only on the manifests, so it is rebuilt only when they change.
 */
let held: { manifests: string, search: AgentSearch } | undefined

/**
 * The listings matching `text` and carrying every tag of `tags`, best first;
 * for an empty text, all of them with the tags, in the registry's order.
 */
export function searchListings (listings: readonly AgentListing[], text: string, tags: readonly string[] = []): AgentListing[] {
  if (text.trim() === '') return listings.filter(listing => tags.every(tag => listing.tags.includes(tag)))
  const manifests = listings.map(listing => listing.manifestHash).join()
  if (held?.manifests !== manifests) {
    // A fixed seed: the index's level draws need no secrecy, and the same agents give the same graph.
    const search = new AgentSearch({ random: mulberry32(0x5eed) })
    for (const listing of listings) search.index(listing)
    held = { manifests, search }
  }
  const byId = new Map(listings.map(listing => [listing.id, listing]))
  return held.search.search(text, { tags: [...tags], k: listings.length }).map(hit => byId.get(`${hit.author}/${hit.name}`)!)
}
