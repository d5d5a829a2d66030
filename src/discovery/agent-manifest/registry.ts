/**
 * The agent registry's rules, pure (no I/O, no clock): which verified
 * manifests a peer holds, and which one a ref means (docs/agent-manifest.md §5–6).
 *
 * - The identity of an agent is (author PeerId, name). A manifest of a name
 *   already held under another author is a **different agent**, held beside
 *   the first, never over it: nobody takes a name by publishing under it.
 * - Versions of one agent are ordered by SemVer precedence. A newer version
 *   supersedes the latest one for refs that do not pin a version; older
 *   versions stay held (the newest `maxVersionsPerAgent`), so pinned refs
 *   keep resolving. A version, once held, is immutable: another manifest
 *   of an equal version is ignored (`version-conflict`).
 * - A ref resolves by name to one author — the preferred one, or the only
 *   one among those trusted — then to that agent's newest version the ref's
 *   range admits. Two authors and no choice is an AmbiguousAgentNameError.
 *
 * @example
 * const registry = createAgentRegistry({ protectedAuthors: [ownPeerId] })
 * registry.offer(verifyAgentManifest(JSON.parse(text), { now: Date.now() }))
 * const manifest = registry.resolve('sentiment@^1.2', { preferAuthor })
 */
import { parseAgentRef } from './agent-ref.ts'
import type { AgentRef } from './agent-ref.ts'
import { AUTHOR_TAG_LENGTH, DEFAULT_MAX_AGENTS, DEFAULT_MAX_VERSIONS_PER_AGENT } from './constants.ts'
import { AgentNotFoundError, AmbiguousAgentNameError, InvalidAgentRegistryOptionsError, NoMatchingAgentVersionError } from './errors.ts'
import { compareSemVer, parseSemVer, satisfies } from './semver.ts'
import type { SemVer } from './semver.ts'
import type { AgentManifest } from './types.ts'

export interface AgentRegistryInit {
  /** Most agents (author, name) held; default DEFAULT_MAX_AGENTS (1024). */
  maxAgents?: number
  /** Most versions held per agent, the newest by precedence; default DEFAULT_MAX_VERSIONS_PER_AGENT (8). */
  maxVersionsPerAgent?: number
  /** Authors whose agents are never evicted to make room (this peer's own key, keys the user trusts). */
  protectedAuthors?: Iterable<string>
}

/** Why a manifest was not taken. */
export type IgnoredReason =
  /** This very manifest (same signature) is already held. */
  | 'duplicate'
  /** The author already has another manifest of a version of equal precedence held: versions are immutable. */
  | 'version-conflict'
  /** `maxVersionsPerAgent` newer versions are held. */
  | 'older'
  /** `maxAgents` are held and none may make room (all protected, or all published later than this one). */
  | 'capacity'

export type OfferOutcome =
  /** Held: a new agent whose name no other author holds, or a version of a held agent, `latest` when now its newest. */
  | { status: 'accepted', manifest: AgentManifest, latest: boolean, evicted: AgentManifest[] }
  /** Held as the agent's newest version, over `previous` (which stays held unless in `evicted`). */
  | { status: 'superseded', manifest: AgentManifest, previous: AgentManifest, evicted: AgentManifest[] }
  /** Held as a new agent, beside the agents of the same name by `otherAuthors`. */
  | { status: 'different-agent', manifest: AgentManifest, otherAuthors: string[], evicted: AgentManifest[] }
  | { status: 'ignored', manifest: AgentManifest, reason: IgnoredReason }

/** One agent as held. */
export interface AgentEntry {
  author: string
  name: string
  /** `name`, with the author's tag when other authors publish the same name: `sentiment (Ab3dEf9x)`. */
  displayName: string
  /** The newest held version by precedence (a prerelease, if that is the newest). */
  latest: AgentManifest
  /** Every held version, newest first. */
  versions: AgentManifest[]
}

export interface ResolveOptions {
  /** Only agents by these authors are considered; the others are as if not held. */
  trustedAuthors?: Iterable<string>
  /** When this author publishes the name (and is trusted, if trust is given), theirs is the agent meant. */
  preferAuthor?: string
}

export interface AgentRegistry {
  /** Takes a manifest verifyAgentManifest returned (the registry does not verify signatures). */
  offer: (manifest: AgentManifest) => OfferOutcome
  /** The manifest `ref` means; throws InvalidAgentRefError, AgentNotFoundError, AmbiguousAgentNameError or NoMatchingAgentVersionError. */
  resolve: (ref: string | AgentRef, options?: ResolveOptions) => AgentManifest
  get: (author: string, name: string) => AgentEntry | undefined
  /** Every agent held, by name then author. */
  list: () => AgentEntry[]
  /** The authors holding agents of `name`, sorted. */
  authorsOf: (name: string) => string[]
  /** Agents held. */
  readonly size: number
}

/** The short tag shown beside an ambiguous name: the end of the PeerId (every Ed25519 PeerId begins `12D3KooW`). */
export function authorTag (author: string): string {
  return author.slice(-AUTHOR_TAG_LENGTH)
}

export function createAgentRegistry (init: AgentRegistryInit = {}): AgentRegistry {
  return new Registry(init)
}

interface HeldVersion {
  manifest: AgentManifest
  version: SemVer
}

interface HeldAgent {
  author: string
  name: string
  /** Newest first. */
  versions: HeldVersion[]
}

class Registry implements AgentRegistry {
  private readonly maxAgents: number
  private readonly maxVersions: number
  private readonly protectedAuthors: ReadonlySet<string>
  private readonly agents = new Map<string, HeldAgent>()
  private readonly authorsByName = new Map<string, Set<string>>()

  constructor (init: AgentRegistryInit) {
    this.maxAgents = positive(init.maxAgents ?? DEFAULT_MAX_AGENTS, 'maxAgents')
    this.maxVersions = positive(init.maxVersionsPerAgent ?? DEFAULT_MAX_VERSIONS_PER_AGENT, 'maxVersionsPerAgent')
    this.protectedAuthors = new Set(init.protectedAuthors ?? [])
  }

  get size (): number {
    return this.agents.size
  }

  offer (manifest: AgentManifest): OfferOutcome {
    const version = parseSemVer(manifest.version)
    const held = this.agents.get(key(manifest.author, manifest.name))
    if (held !== undefined) return this.offerVersion(held, { manifest, version })

    const otherAuthors = this.authorsOf(manifest.name)
    const evicted: AgentManifest[] = []
    if (this.agents.size >= this.maxAgents) {
      const victim = this.evictionCandidate()
      // The newcomer takes the place of the least recently published agent, unless it is older still.
      if (victim === undefined || (!this.protectedAuthors.has(manifest.author) && manifest.publishedAt <= latestOf(victim).publishedAt)) {
        return { status: 'ignored', manifest, reason: 'capacity' }
      }
      evicted.push(...this.delete(victim))
    }
    this.agents.set(key(manifest.author, manifest.name), { author: manifest.author, name: manifest.name, versions: [{ manifest, version }] })
    const authors = this.authorsByName.get(manifest.name) ?? new Set<string>()
    authors.add(manifest.author)
    this.authorsByName.set(manifest.name, authors)
    // A victim of the same name is gone: report only the authors still held beside the newcomer.
    const others = otherAuthors.filter(author => authors.has(author))
    if (others.length > 0) return { status: 'different-agent', manifest, otherAuthors: others, evicted }
    return { status: 'accepted', manifest, latest: true, evicted }
  }

  resolve (ref: string | AgentRef, options: ResolveOptions = {}): AgentManifest {
    const { name, range, text } = typeof ref === 'string' ? parseAgentRef(ref) : ref
    let authors = this.authorsOf(name)
    if (options.trustedAuthors !== undefined) {
      const trusted = new Set(options.trustedAuthors)
      authors = authors.filter(author => trusted.has(author))
    }
    if (authors.length === 0) {
      throw new AgentNotFoundError(name, `no agent named ${name} is held${options.trustedAuthors === undefined ? '' : ' by a trusted author'}`)
    }
    let author = authors[0]!
    if (options.preferAuthor !== undefined && authors.includes(options.preferAuthor)) {
      author = options.preferAuthor
    } else if (authors.length > 1) {
      // Decided before the range: which agent a name means must not depend on which versions happen to be held.
      throw new AmbiguousAgentNameError(name, authors)
    }
    const agent = this.agents.get(key(author, name))!
    const found = agent.versions.find(held => satisfies(held.version, range))
    if (found === undefined) throw new NoMatchingAgentVersionError(text, agent.versions.map(held => held.manifest.version))
    return found.manifest
  }

  get (author: string, name: string): AgentEntry | undefined {
    const agent = this.agents.get(key(author, name))
    return agent === undefined ? undefined : this.entry(agent)
  }

  list (): AgentEntry[] {
    return [...this.agents.values()]
      .sort((a, b) => compareText(a.name, b.name) || compareText(a.author, b.author))
      .map(agent => this.entry(agent))
  }

  authorsOf (name: string): string[] {
    return [...(this.authorsByName.get(name) ?? [])].sort(compareText)
  }

  private offerVersion (agent: HeldAgent, offered: HeldVersion): OfferOutcome {
    const { manifest } = offered
    const equal = agent.versions.find(held => compareSemVer(held.version, offered.version) === 0)
    if (equal !== undefined) {
      // Same key, same content ⇔ same signature: Ed25519 signatures are deterministic (RFC 8032 §5.1.6).
      return { status: 'ignored', manifest, reason: equal.manifest.signature === manifest.signature ? 'duplicate' : 'version-conflict' }
    }
    const at = agent.versions.findIndex(held => compareSemVer(offered.version, held.version) > 0)
    const index = at === -1 ? agent.versions.length : at
    if (index >= this.maxVersions) return { status: 'ignored', manifest, reason: 'older' }
    const previous = agent.versions[0]!.manifest
    agent.versions.splice(index, 0, offered)
    const evicted = agent.versions.splice(this.maxVersions).map(held => held.manifest)
    if (index === 0) return { status: 'superseded', manifest, previous, evicted }
    return { status: 'accepted', manifest, latest: false, evicted }
  }

  /** The unprotected agent whose newest version was published longest ago (ties: the first by name, then author). */
  private evictionCandidate (): HeldAgent | undefined {
    let victim: HeldAgent | undefined
    for (const agent of this.agents.values()) {
      if (this.protectedAuthors.has(agent.author)) continue
      if (victim === undefined) {
        victim = agent
        continue
      }
      const order = latestOf(agent).publishedAt - latestOf(victim).publishedAt ||
        compareText(agent.name, victim.name) || compareText(agent.author, victim.author)
      if (order < 0) victim = agent
    }
    return victim
  }

  private delete (agent: HeldAgent): AgentManifest[] {
    this.agents.delete(key(agent.author, agent.name))
    const authors = this.authorsByName.get(agent.name)
    authors?.delete(agent.author)
    if (authors?.size === 0) this.authorsByName.delete(agent.name)
    return agent.versions.map(held => held.manifest)
  }

  private entry (agent: HeldAgent): AgentEntry {
    const ambiguous = (this.authorsByName.get(agent.name)?.size ?? 0) > 1
    return {
      author: agent.author,
      name: agent.name,
      displayName: ambiguous ? `${agent.name} (${authorTag(agent.author)})` : agent.name,
      latest: latestOf(agent),
      versions: agent.versions.map(held => held.manifest)
    }
  }
}

function key (author: string, name: string): string {
  // A PeerId never contains '/', so the key cannot be read two ways.
  return `${author}/${name}`
}

function latestOf (agent: HeldAgent): AgentManifest {
  return agent.versions[0]!.manifest
}

/** Code-unit order, the same on every peer (localeCompare is not). */
function compareText (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function positive (value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidAgentRegistryOptionsError(`${field} must be a positive safe integer`)
  return value
}
