/**
 * A run's shared context, replicated over gossipsub (docs/workflow-context.md
 * §9): one topic per run (CONTEXT_SYNC_TOPIC_PREFIX + run id). The submitter
 * publishes the entries it signs as a step's updates enter the context, and
 * sends them all again when a peer subscribes later; any peer that knows the
 * run's schema (its spec) can watch the topic and hold a replica, which
 * converges to the submitter's state because the merge is a function of the
 * set of entries (§5), whatever order or duplication gossip brings.
 *
 * Every entry is checked before gossipsub forwards the message (TopicChannel's
 * validator): its signature and key binding, its context, that its writer is
 * the peer that published it, a watcher's allowed writers, and its key's rule.
 * A message with one bad entry is refused whole and reaches no one.
 */
import type { GossipSub, SignedMessage } from '@libp2p/gossipsub'
import { bytesToUtf8, canonicalize, utf8ToBytes } from '../../../core/index.ts'
import { noopLogger } from '../../../core/logger.ts'
import type { Logger } from '../../../core/logger.ts'
import { TopicChannel, accept } from '../../../network/topic-channel.ts'
import { ContextEntryLimitError, ContextIdMismatchError, ContextState, ContextWriterNotAllowedError, checkContextValue, verifyContextEntry } from '../context/index.ts'
import type { ContextEntry, ContextSchema } from '../context/index.ts'
import { CONTEXT_SYNC_RATE, CONTEXT_SYNC_TOPIC_PREFIX, MAX_CONTEXT_SYNC_ENTRIES, MAX_CONTEXT_SYNC_MESSAGE_BYTES, MAX_SYNCED_RUNS } from './constants.ts'
import { ContextSyncSenderMismatchError, InvalidContextSyncMessageError } from './errors.ts'

export interface WorkflowContextSyncComponents {
  pubsub: GossipSub
  logger?: Logger
}

export interface WorkflowContextSyncInit {
  /** Runs followed at once (default MAX_SYNCED_RUNS); past it, the run touched longest ago is left. */
  maxRuns?: number
}

/** What a watcher holds of a run's context, as it grows. Fires `change` after entries were applied. */
export interface ContextReplica extends EventTarget {
  readonly runId: string
  readonly state: ContextState
  /** Messages refused, by the name of the error that refused them (ContextEntrySignatureError, …). */
  readonly refused: Readonly<Record<string, number>>
}

export interface WatchOptions {
  /** The PeerIds allowed to write (the run's submitter); anyone with a valid signature when absent. */
  writers?: Iterable<string>
}

export interface WorkflowContextSync {
  start(): void
  /** Leaves every run's topic. Safe to call twice. */
  stop(): void
  /** The topic of a run's context. */
  topicOf(runId: string): string
  /**
   * Publishes entries this peer wrote (it must be their writer) for run
   * `runId`, and keeps them to send to peers that subscribe later. Resolves
   * whether anyone heard them now.
   */
  publish(runId: string, entries: readonly ContextEntry[]): Promise<boolean>
  /** Follows run `runId`'s context over `schema` (the spec's `context:`); the same replica when called again. */
  watch(runId: string, schema: ContextSchema | Record<string, unknown>, options?: WatchOptions): ContextReplica
}

class Replica extends EventTarget implements ContextReplica {
  readonly refused: Record<string, number> = {}
  constructor (readonly runId: string, readonly state: ContextState) {
    super()
  }
}

/** One run's topic: the entries this peer published (to send newcomers) and, when watched, the replica. */
interface SyncedRun {
  channel: TopicChannel<ContextEntry[]>
  published: ContextEntry[]
  replica?: Replica
  writers?: ReadonlySet<string>
}

/**
 * Reads a gossiped message: a JSON array of entries, each verified, of this
 * run, written by the peer that sent it, by an allowed writer, and fitting
 * its key's rule when the schema is known. Throws the first failure's error.
 */
export function readContextMessage (data: Uint8Array, from: string, runId: string, check: { schema?: ContextSchema, writers?: ReadonlySet<string> } = {}): ContextEntry[] {
  const parsed: unknown = JSON.parse(bytesToUtf8(data))
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > MAX_CONTEXT_SYNC_ENTRIES) {
    throw new InvalidContextSyncMessageError(`a context message is a JSON array of 1 to ${MAX_CONTEXT_SYNC_ENTRIES} entries`)
  }
  return parsed.map(value => {
    const entry = verifyContextEntry(value)
    if (entry.contextId !== runId) throw new ContextIdMismatchError(`an entry for context ${entry.contextId} on the topic of ${runId}`)
    if (entry.writer !== from) throw new ContextSyncSenderMismatchError(`an entry written by ${entry.writer} published by ${from}`)
    if (check.writers !== undefined && !check.writers.has(entry.writer)) throw new ContextWriterNotAllowedError(`${entry.writer} is not a writer of context ${runId}`)
    if (check.schema !== undefined) checkContextValue(check.schema, entry.key, entry.value)
    return entry
  })
}

/** Entries packed into messages of at most MAX_CONTEXT_SYNC_MESSAGE_BYTES and MAX_CONTEXT_SYNC_ENTRIES each. */
export function packContextMessages (entries: readonly ContextEntry[]): Uint8Array[] {
  const messages: Uint8Array[] = []
  let batch: string[] = []
  let size = 2
  const flush = (): void => {
    if (batch.length > 0) messages.push(utf8ToBytes(`[${batch.join(',')}]`))
    batch = []
    size = 2
  }
  for (const entry of entries) {
    const text = canonicalize(entry)
    const bytes = utf8ToBytes(text).length + 1
    if (batch.length === MAX_CONTEXT_SYNC_ENTRIES || size + bytes > MAX_CONTEXT_SYNC_MESSAGE_BYTES) flush()
    batch.push(text)
    size += bytes
  }
  flush()
  return messages
}

class GossipContextSync implements WorkflowContextSync {
  readonly #components: WorkflowContextSyncComponents
  readonly #maxRuns: number
  readonly #logger: Logger
  /** By run id, in the order they were last touched (a Map keeps insertion order). */
  readonly #runs = new Map<string, SyncedRun>()
  #running = false

  constructor (components: WorkflowContextSyncComponents, init: WorkflowContextSyncInit) {
    this.#components = components
    this.#maxRuns = init.maxRuns ?? MAX_SYNCED_RUNS
    this.#logger = components.logger ?? noopLogger
  }

  start (): void {
    this.#running = true
  }

  stop (): void {
    if (!this.#running) return
    this.#running = false
    for (const run of this.#runs.values()) run.channel.stop()
    this.#runs.clear()
  }

  topicOf (runId: string): string {
    return CONTEXT_SYNC_TOPIC_PREFIX + runId
  }

  async publish (runId: string, entries: readonly ContextEntry[]): Promise<boolean> {
    if (entries.length === 0) return false
    const run = this.#run(runId)
    run.published.push(...entries)
    this.#apply(run, entries)
    let heard = false
    for (const message of packContextMessages(entries)) heard = await run.channel.publish(message) || heard
    return heard
  }

  watch (runId: string, schema: ContextSchema | Record<string, unknown>, options: WatchOptions = {}): ContextReplica {
    const run = this.#run(runId)
    if (run.replica === undefined) {
      run.replica = new Replica(runId, new ContextState({ contextId: runId, schema }))
      if (options.writers !== undefined) run.writers = new Set(options.writers)
      // What this peer itself published counts too (a submitter watching its own run).
      this.#apply(run, run.published)
    }
    return run.replica
  }

  /** The run's topic, joined on first use; the run becomes the most recently touched. */
  #run (runId: string): SyncedRun {
    if (!this.#running) throw new TypeError('the context sync is not started')
    const held = this.#runs.get(runId)
    if (held !== undefined) {
      this.#runs.delete(runId)
      this.#runs.set(runId, held)
      return held
    }
    const run: SyncedRun = {
      published: [],
      channel: new TopicChannel<ContextEntry[]>(this.#components.pubsub, {
        topic: this.topicOf(runId),
        maxMessageBytes: MAX_CONTEXT_SYNC_MESSAGE_BYTES,
        rate: CONTEXT_SYNC_RATE,
        validate: (message: SignedMessage) => {
          try {
            const checks = { ...(run.replica === undefined ? {} : { schema: run.replica.state.schema }), ...(run.writers === undefined ? {} : { writers: run.writers }) }
            return accept(readContextMessage(message.data, message.from.toString(), runId, checks))
          } catch (err) {
            if (run.replica !== undefined) {
              const name = err instanceof Error ? err.name : 'Error'
              run.replica.refused[name] = (run.replica.refused[name] ?? 0) + 1
            }
            throw err
          }
        },
        onMessage: entries => { this.#apply(run, entries) },
        // A peer that subscribes later (a watcher opening the run) is sent everything published so far.
        onSubscriber: () => {
          if (run.published.length === 0) return
          for (const message of packContextMessages(run.published)) void run.channel.publish(message)
        },
        logger: this.#logger
      })
    }
    run.channel.start()
    this.#runs.set(runId, run)
    if (this.#runs.size > this.#maxRuns) {
      const [oldest, left] = this.#runs.entries().next().value as [string, SyncedRun]
      left.channel.stop()
      this.#runs.delete(oldest)
    }
    return run
  }

  #apply (run: SyncedRun, entries: readonly ContextEntry[]): void {
    const replica = run.replica
    if (replica === undefined || entries.length === 0) return
    let changed = false
    for (const entry of entries) {
      try {
        changed = replica.state.apply(entry).outcome === 'applied' || changed
      } catch (err) {
        // Beyond an append or sum key's maxEntries: not part of the context (§5), on every replica alike.
        if (!(err instanceof ContextEntryLimitError)) throw err
      }
    }
    if (changed) replica.dispatchEvent(new Event('change'))
  }
}

/**
 * The context replication of one peer.
 *
 * @example
 * const sync = workflowContextSync()({ pubsub: node.services.pubsub })
 * sync.start()
 * await sync.publish(runId, entries)                       // the submitter, as steps' updates enter the context
 * const replica = sync.watch(runId, spec.context, { writers: [submitter] })   // anyone who knows the spec
 * replica.addEventListener('change', () => { show(replica.state.value()) })
 */
export function workflowContextSync (init: WorkflowContextSyncInit = {}): (components: WorkflowContextSyncComponents) => WorkflowContextSync {
  return components => new GossipContextSync(components, init)
}
