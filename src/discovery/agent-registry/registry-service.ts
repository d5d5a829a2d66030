/**
 * The agent registry on the mesh (docs/agent-manifest.md §12): the pure
 * registry of agent-manifest/ fed from AGENT_MANIFEST_TOPIC, kept in the
 * store, re-published to peers that join later, and the modules its agents
 * name served and fetched by hash over /zerostate/module/1.0.0.
 */
import type { GossipSub } from '@libp2p/gossipsub'
import { bytesToBase64Url, bytesToUtf8, noopLogger, utf8ToBytes, warnOn } from '../../core/index.ts'
import type { Logger } from '../../core/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import type { BulkConnectionTo, ProtocolRegistrar } from '../../network/components.ts'
import { MODULE_FETCH_HEADROOM_BYTES, fetchModule, moduleServer } from '../../network/module-fetch/index.ts'
import type { ModuleServer } from '../../network/module-fetch/index.ts'
import { RateLimiter } from '../../network/rate-limit.ts'
import { TopicChannel, accept, ignore } from '../../network/topic-channel.ts'
import type { ManifestStore, ModuleStore } from '../../storage/index.ts'
import {
  AGENT_MANIFEST_TOPIC, MAX_AGENT_MANIFEST_BYTES, agentManifestHash, checkModuleBytesAsync, createAgentRegistry, entryModule, signAgentManifest,
  verifyAgentManifest
} from '../agent-manifest/index.ts'
import type { AgentEntry, AgentManifest, AgentManifestFields, AgentRegistry, OfferOutcome, ResolveOptions } from '../agent-manifest/index.ts'
import {
  AGENT_MANIFEST_RATE, AGENT_MANIFEST_SEND_RATE, MAX_MODULE_FETCH_ATTEMPTS, MAX_REPUBLISHED_PER_ROUND, MAX_SOURCES_PER_MANIFEST,
  REPUBLISH_AFTER_SUBSCRIBER_MS, UNKNOWN_AGENT_WAIT_MS
} from './constants.ts'
import { AgentModuleMissingError, AgentModuleUnavailableError, AgentPublishRefusedError } from './errors.ts'

export interface AgentRegistryComponents {
  /** Signs this peer's publications; its agents are never evicted and are preferred when a name is ambiguous. */
  identity: PeerIdentity
  store: ManifestStore & ModuleStore
  pubsub: GossipSub
  registrar: ProtocolRegistrar
  /**
   * Used only to fetch an agent's module, whose size its manifest states: a
   * bulk connection (PeerMesh.bulkConnectionTo), since a module larger than
   * a relayed connection's data limit is cut off on it.
   */
  connectionTo: BulkConnectionTo
  /** PeerIds connected now: asked for a module when the peers that sent its manifest do not serve it. */
  connectedPeers(): string[]
  logger?: Logger
}

export interface AgentRegistryInit {
  /** Most agents held; default DEFAULT_MAX_AGENTS. */
  maxAgents?: number
  /** Most versions held per agent; default DEFAULT_MAX_VERSIONS_PER_AGENT. */
  maxVersionsPerAgent?: number
  /** Authors (besides this peer) whose agents are never evicted to make room. */
  protectedAuthors?: Iterable<string>
  /** Unix epoch ms; default Date.now. */
  now?(): number
  /** An agent was added, superseded by a newer version, or added beside another author's agent of the same name. */
  onAgent?(event: AgentRegistryEvent): void
}

/** What the registry took, and from whom: a PeerId, this peer's own when it published it. */
export type AgentRegistryEvent = Exclude<OfferOutcome, { status: 'ignored' }> & { from: string }

/** A manifest's fields as an author writes them: the signer fills in `author`, `publicKey` and `publishedAt`. */
export type AgentPackageFields = Omit<AgentManifestFields, 'author' | 'publicKey' | 'publishedAt'>

/** An agent package to publish: its fields and its modules' bytes by module name. */
export interface AgentPackage {
  fields: AgentPackageFields
  modules: Record<string, Uint8Array>
}

/** A published agent's entry module, checked against its manifest. */
export interface ResolvedAgent {
  manifest: AgentManifest
  /** Lowercase hex SHA-256 of `module`: the manifest's entry module `sha256`. */
  hash: string
  module: Uint8Array<ArrayBuffer>
}

export class GossipAgentRegistry {
  private readonly components: AgentRegistryComponents
  private readonly init: AgentRegistryInit
  private readonly logger: Logger
  private readonly now: () => number
  private readonly self: string
  private readonly registry: AgentRegistry
  private readonly channel: TopicChannel<AgentManifest>
  private readonly modules: ModuleServer
  /** Module hashes named by any held manifest: what this peer serves (when it holds the bytes). */
  private moduleHashes = new Set<string>()
  /** Who waits for the next agent taken (resolveSoon). */
  private readonly takenWaiters = new Set<() => void>()
  /** Built-ins held from this peer's own app server, by manifest hash: the absolute URL of their entry module. */
  private readonly served = new Map<string, string>()
  /** By manifest hash: PeerIds that sent it, first seen first. */
  private readonly sources = new Map<string, string[]>()
  /** Store writes, in order: a manifest evicted right after it was taken is deleted after it was written. */
  private writes: Promise<void> = Promise.resolve()
  private running = false
  private republishTimer: ReturnType<typeof setTimeout> | undefined
  /** Paces what this peer sends below what receivers take from one identity. */
  private readonly sending: RateLimiter

  constructor (components: AgentRegistryComponents, init: AgentRegistryInit = {}) {
    this.components = components
    this.init = init
    this.logger = components.logger ?? noopLogger
    this.now = init.now ?? Date.now
    this.self = components.identity.peerId.toString()
    this.sending = new RateLimiter({ ...AGENT_MANIFEST_SEND_RATE, now: this.now })
    this.registry = createAgentRegistry({
      maxAgents: init.maxAgents,
      maxVersionsPerAgent: init.maxVersionsPerAgent,
      protectedAuthors: [this.self, ...(init.protectedAuthors ?? [])]
    })
    this.channel = new TopicChannel<AgentManifest>(components.pubsub, {
      topic: AGENT_MANIFEST_TOPIC,
      maxMessageBytes: MAX_AGENT_MANIFEST_BYTES,
      rate: AGENT_MANIFEST_RATE,
      validate: async message => {
        // Checked in full before gossipsub forwards it: a forged or altered manifest reaches no one (a throw is a reject, by name).
        const manifest = verifyAgentManifest(JSON.parse(bytesToUtf8(message.data)), { now: this.now() })
        const from = message.from.toString()
        const outcome = this.registry.offer(manifest)
        this.rememberSource(manifest, from)
        // Ignored (held already, a conflicting version, no room) is not forwarded: re-publication rounds stop at the first peer that has it.
        if (outcome.status === 'ignored') return ignore(outcome.reason)
        this.taken(outcome, from)
        return accept(manifest)
      },
      onMessage: () => {},
      // A peer that joins later learns the agents published before it.
      onSubscriber: () => { this.republishSoon() },
      logger: this.logger
    })
    this.modules = moduleServer({ shares: hash => this.moduleHashes.has(hash) })({ registrar: components.registrar, store: components.store })
  }

  /** Reloads the held manifests (verifying each again), then listens, serves modules and re-publishes to newcomers. Safe to call twice. */
  async start (): Promise<void> {
    if (this.running) return
    this.running = true
    const { store } = this.components
    for (const record of await store.listManifests()) {
      let manifest: AgentManifest
      try {
        manifest = verifyAgentManifest(record.manifest, { now: this.now() })
      } catch (err) {
        // A record this version cannot verify (written by another version, or damaged) is not trusted: it goes.
        this.logger.warn(`dropping a stored agent manifest that does not verify (${(err as Error).name})`)
        await store.deleteManifest(record.hash)
        continue
      }
      const outcome = this.registry.offer(manifest)
      if (outcome.status !== 'ignored') this.forget(outcome.evicted)
    }
    this.indexModules()
    await this.modules.start()
    this.channel.start()
  }

  /** Safe to call twice. Resolves once the store writes already begun have landed. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    clearTimeout(this.republishTimer)
    this.republishTimer = undefined
    this.channel.stop()
    await this.modules.stop()
    await this.writes
  }

  /** Signs `fields` as this peer, dated now, then publishes the package (see publishManifest). */
  async publish ({ fields, modules }: AgentPackage): Promise<AgentManifest> {
    const { identity } = this.components
    const manifest = await signAgentManifest({
      ...fields,
      author: this.self,
      publicKey: bytesToBase64Url(identity.publicKey),
      publishedAt: this.now()
    }, identity)
    await this.publishManifest(manifest, modules)
    return manifest
  }

  /**
   * Publishes a signed manifest (this peer's, or another author's it holds
   * the modules of): verifies it, checks every module's bytes against it
   * (ManifestModuleMismatchError) and stores them, takes it into the registry
   * (AgentPublishRefusedError when the registry does not), keeps it, and
   * publishes it on AGENT_MANIFEST_TOPIC. Peers that are not subscribed yet
   * get it in the next re-publication round. Resolves to the verified copy;
   * what the registry made of it goes to `onAgent` (nothing for the same
   * manifest published again).
   */
  async publishManifest (value: AgentManifest, modules: Record<string, Uint8Array>): Promise<AgentManifest> {
    const manifest = verifyAgentManifest(value, { now: this.now() })
    for (const name of Object.keys(modules)) {
      if (!manifest.modules.some(module => module.name === name)) {
        throw new AgentModuleMissingError(name, `agent ${manifest.name}@${manifest.version} has no module ${JSON.stringify(name)}`)
      }
    }
    for (const module of manifest.modules) {
      const bytes = modules[module.name]
      if (bytes === undefined) throw new AgentModuleMissingError(module.name, `module ${module.name} of ${manifest.name}@${manifest.version} was not given`)
      await checkModuleBytesAsync(manifest, module.name, bytes)
    }
    // Checked before anything is kept: a package with one bad module stores nothing.
    for (const module of manifest.modules) await this.components.store.putModule(module.sha256, modules[module.name]!)
    const outcome = this.registry.offer(manifest)
    if (outcome.status === 'ignored' && outcome.reason !== 'duplicate') {
      throw new AgentPublishRefusedError(outcome.reason, `${manifest.name}@${manifest.version} was not taken (${outcome.reason})` +
        (outcome.reason === 'version-conflict' ? ': this version was published with other content; versions are immutable, publish a new one' : ''))
    }
    if (outcome.status !== 'ignored') this.taken(outcome, this.self)
    await this.writes
    // Counted, never held back: the receivers' burst leaves room for an author's own publications beyond a round.
    this.sending.take(this.self)
    await this.channel.publish(utf8ToBytes(JSON.stringify(manifest)))
    return manifest
  }

  /**
   * Holds a built-in agent that this peer's own app server signed and serves
   * (docs/agent-manifest.md §12), without publishing it: every peer gets the
   * same index from its server, so gossiping it — and re-publishing it to
   * every newcomer — would only spend every link's bandwidth (a relayed link
   * has 128 KiB in all). Its entry module is fetched from `moduleUrl` when it
   * is first resolved, and checked against the manifest. Idempotent.
   */
  holdServed (value: AgentManifest, moduleUrl: string): AgentManifest {
    const manifest = verifyAgentManifest(value, { now: this.now() })
    const outcome = this.registry.offer(manifest)
    if (outcome.status === 'ignored' && outcome.reason !== 'duplicate') {
      throw new AgentPublishRefusedError(outcome.reason, `built-in ${manifest.name}@${manifest.version} was not taken (${outcome.reason})`)
    }
    this.served.set(agentManifestHash(manifest), moduleUrl)
    if (outcome.status !== 'ignored') this.taken(outcome, this.self)
    return manifest
  }

  /** Whether this very manifest (same signature) is held. */
  holds (manifest: AgentManifest): boolean {
    return this.registry.get(manifest.author, manifest.name)?.versions.some(held => held.signature === manifest.signature) ?? false
  }

  /** Every agent held, by name then author. */
  list (): AgentEntry[] {
    return this.registry.list()
  }

  /** The manifest `ref` means (docs/agent-manifest.md §8); this peer's own agent wins an ambiguous name unless `preferAuthor` says otherwise. */
  resolve (ref: string, options: ResolveOptions = {}): AgentManifest {
    return this.registry.resolve(ref, { preferAuthor: this.self, ...options })
  }

  /**
   * The entry module of the agent `ref` means: from the store, or fetched by
   * hash from the peers that sent its manifest, then from connected peers,
   * checked against the manifest's size and SHA-256 before it is stored.
   * `trustedAuthors` and `preferAuthor` narrow the ref as in `resolve`.
   */
  async resolveModule (ref: string, options: ResolveOptions & { signal?: AbortSignal, waitMs?: number } = {}): Promise<ResolvedAgent> {
    const { signal: _signal, waitMs = UNKNOWN_AGENT_WAIT_MS, ...resolveOptions } = options
    const manifest = await this.resolveSoon(ref, resolveOptions, waitMs, options.signal)
    const entry = entryModule(manifest)
    const held = await this.components.store.getModule(entry.sha256)
    if (held !== undefined) return { manifest, hash: entry.sha256, module: new Uint8Array(held) }
    // Where the bytes may be: a built-in's own server first, then the peers that may hold them.
    const sources: Array<{ from: string, fetch: () => Promise<Uint8Array<ArrayBuffer>> }> = []
    const url = this.served.get(agentManifestHash(manifest))
    if (url !== undefined) sources.push({ from: url, fetch: async () => fetchServed(url, options.signal) })
    for (const peer of this.moduleCandidates(manifest)) {
      sources.push({
        from: peer,
        fetch: async () => {
          const connection = await this.components.connectionTo(peer, { signal: options.signal, bytes: entry.size + MODULE_FETCH_HEADROOM_BYTES })
          return fetchModule(connection, entry.sha256, { signal: options.signal })
        }
      })
    }
    const tried: string[] = []
    let lastError: unknown
    for (const source of sources) {
      options.signal?.throwIfAborted()
      tried.push(source.from)
      try {
        const module = await source.fetch()
        await checkModuleBytesAsync(manifest, entry.name, module)
        await this.components.store.putModule(entry.sha256, module)
        return { manifest, hash: entry.sha256, module }
      } catch (err) {
        if (options.signal?.aborted === true) throw err
        lastError = err
        this.logger.debug(`module ${entry.sha256} of ${manifest.name}@${manifest.version} not fetched from ${source.from}`, err)
      }
    }
    throw new AgentModuleUnavailableError(
      `no peer served module ${entry.name} (${entry.sha256}) of ${manifest.name}@${manifest.version}` +
      (tried.length === 0 ? ': no peer that could hold it is known' : `; asked ${tried.join(', ')}`),
      tried, { cause: lastError })
  }

  /**
   * `resolve`, waiting up to `waitMs` for a name no peer has sent yet while
   * this peer is connected to others (see UNKNOWN_AGENT_WAIT_MS): each agent
   * taken meanwhile is a new chance. Other refusals are not waited on.
   */
  private async resolveSoon (ref: string, options: ResolveOptions, waitMs: number, signal: AbortSignal | undefined): Promise<AgentManifest> {
    const deadline = this.now() + waitMs
    for (;;) {
      try {
        return this.resolve(ref, options)
      } catch (err) {
        const left = deadline - this.now()
        if (!(err instanceof Error) || err.name !== 'AgentNotFoundError' || left <= 0 || this.components.connectedPeers().length === 0) throw err
        await new Promise<void>(resolve => {
          const done = (): void => { clearTimeout(timer); this.takenWaiters.delete(done); signal?.removeEventListener('abort', done); resolve() }
          const timer = setTimeout(done, left)
          this.takenWaiters.add(done)
          signal?.addEventListener('abort', done, { once: true })
        })
        signal?.throwIfAborted()
      }
    }
  }

  /** A manifest the registry took: kept, its modules served, and reported. */
  private taken (outcome: Exclude<OfferOutcome, { status: 'ignored' }>, from: string): void {
    const { manifest } = outcome
    this.write(async () => this.components.store.putManifest({ hash: agentManifestHash(manifest), manifest, storedAt: this.now() }))
    this.forget(outcome.evicted)
    this.indexModules()
    this.init.onAgent?.({ ...outcome, from })
    for (const wake of [...this.takenWaiters]) wake()
  }

  private forget (evicted: AgentManifest[]): void {
    for (const old of evicted) {
      const hash = agentManifestHash(old)
      this.sources.delete(hash)
      this.write(async () => this.components.store.deleteManifest(hash))
    }
  }

  private write (work: () => Promise<void>): void {
    this.writes = this.writes.then(work).catch(warnOn(this.logger, 'keeping the agent manifests'))
  }

  private indexModules (): void {
    this.moduleHashes = new Set(this.registry.list().flatMap(agent => agent.versions.flatMap(version => version.modules.map(module => module.sha256))))
  }

  private rememberSource (manifest: AgentManifest, from: string): void {
    if (from === this.self) return
    const hash = agentManifestHash(manifest)
    const peers = this.sources.get(hash) ?? []
    if (peers.includes(from) || peers.length >= MAX_SOURCES_PER_MANIFEST) return
    peers.push(from)
    this.sources.set(hash, peers)
  }

  /** Who may hold the manifest's modules: its author, the peers that sent it, then the peers connected now. */
  private moduleCandidates (manifest: AgentManifest): string[] {
    const ordered = [manifest.author, ...(this.sources.get(agentManifestHash(manifest)) ?? []), ...this.components.connectedPeers()]
    return [...new Set(ordered)].filter(peer => peer !== this.self).slice(0, MAX_MODULE_FETCH_ATTEMPTS)
  }

  /** A newcomer subscribed: re-publish soon, once for a burst of newcomers. */
  private republishSoon (): void {
    if (this.republishTimer !== undefined || !this.running) return
    this.republishTimer = setTimeout(() => {
      this.republishTimer = undefined
      this.republish().catch(warnOn(this.logger, 're-publishing agent manifests'))
    }, REPUBLISH_AFTER_SUBSCRIBER_MS)
  }

  /**
   * The latest version of each held agent, this peer's own first, then the
   * most recently published; at most MAX_REPUBLISHED_PER_ROUND, and only as
   * many as the send rate allows (the rest go in a later round).
   */
  private async republish (): Promise<void> {
    const latest = this.registry.list().map(agent => agent.latest)
      // Built-ins come to every peer from its own server, never by gossip.
      .filter(manifest => !this.served.has(agentManifestHash(manifest)))
      .sort((a, b) => Number(b.author === this.self) - Number(a.author === this.self) || b.publishedAt - a.publishedAt)
      .slice(0, MAX_REPUBLISHED_PER_ROUND)
    for (const manifest of latest) {
      if (!this.running || !this.sending.take(this.self)) return
      await this.channel.publish(utf8ToBytes(JSON.stringify(manifest)))
    }
  }
}

/** A built-in's module from the app server that serves it. */
async function fetchServed (url: string, signal: AbortSignal | undefined): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url, signal === undefined ? {} : { signal })
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
  return new Uint8Array(await response.arrayBuffer())
}
