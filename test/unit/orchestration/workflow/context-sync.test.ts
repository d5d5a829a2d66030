/**
 * A run's context replicated over gossip (orchestration/workflow/context-sync):
 * peers on a small in-memory gossip bus (the parts of GossipSub a
 * TopicChannel uses, each message validated by the receiver before it is
 * delivered). A watcher that subscribes late is sent everything and
 * converges to the submitter's state; forged, misattributed, disallowed and
 * rule-breaking entries are refused whole, by name, and change nothing.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub, Message, SignedMessage } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { ContextState, checkContextSchema } from '../../../../src/orchestration/workflow/context/index.ts'
import type { ContextEntry } from '../../../../src/orchestration/workflow/context/index.ts'
import { MAX_CONTEXT_SYNC_MESSAGE_BYTES, packContextMessages, readContextMessage, workflowContextSync } from '../../../../src/orchestration/workflow/context-sync/index.ts'
import type { WorkflowContextSync } from '../../../../src/orchestration/workflow/context-sync/index.ts'
import { identity, id, write } from './context/fixtures.ts'

const RUN = 'wf-0b7c4c1e-6a0f-4a43-9d55-3d3c8f2b1a77' // fixtures.ts's CONTEXT_ID
const SCHEMA = checkContextSchema({ findings: { rule: 'append', maxBytes: 65536, maxEntries: 12 }, done: { rule: 'sum' } })

/** Every peer's fake pubsub on one bus: publish reaches the others' validators, then their subscribers. */
class Bus {
  readonly peers: FakePubsub[] = []
  join (self: PeerIdentity): FakePubsub {
    const pubsub = new FakePubsub(this, self.peerId)
    this.peers.push(pubsub)
    return pubsub
  }
}

class FakePubsub extends EventTarget {
  readonly topicValidators = new Map<string, (peer: PeerId, message: Message) => Promise<TopicValidatorResult>>()
  readonly subscriptions = new Set<string>()
  readonly verdicts: TopicValidatorResult[] = []
  constructor (readonly bus: Bus, readonly self: PeerId) { super() }

  subscribe (topic: string): void {
    this.subscriptions.add(topic)
    for (const other of this.bus.peers) {
      if (other !== this) other.dispatchEvent(new CustomEvent('subscription-change', { detail: { peerId: this.self, subscriptions: [{ topic, subscribe: true }] } }))
    }
  }

  unsubscribe (topic: string): void { this.subscriptions.delete(topic) }

  async publish (topic: string, data: Uint8Array): Promise<{ recipients: PeerId[] }> {
    const message: SignedMessage = { type: 'signed', from: this.self, topic, data, sequenceNumber: 1n, signature: new Uint8Array(64), key: undefined as never }
    const recipients: PeerId[] = []
    for (const other of this.bus.peers) {
      if (other === this || !other.subscriptions.has(topic)) continue
      recipients.push(other.self)
      await other.receive(message)
    }
    return { recipients }
  }

  async receive (message: SignedMessage): Promise<void> {
    const validator = this.topicValidators.get(message.topic)
    const result = validator === undefined ? TopicValidatorResult.Accept : await validator(message.from, message)
    this.verdicts.push(result)
    if (result === TopicValidatorResult.Accept) this.dispatchEvent(new CustomEvent('message', { detail: message }))
  }
}

const [submitter, watcher, other] = await Promise.all([identity(1), identity(2), identity(3)])

function peer (bus: Bus, who: PeerIdentity): { sync: WorkflowContextSync, pubsub: FakePubsub } {
  const pubsub = bus.join(who)
  const sync = workflowContextSync()({ pubsub: pubsub as unknown as GossipSub })
  sync.start()
  return { sync, pubsub }
}

async function entries (writer: PeerIdentity, count: number, from = 1): Promise<ContextEntry[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => i % 2 === 0 ? write(writer, 'findings', `finding ${from + i}`, from + i) : write(writer, 'done', 1, from + i)))
}

describe('context replication over gossip', () => {
  it('sends a late watcher everything published, and its replica converges to the submitter\'s state', async () => {
    const bus = new Bus()
    const a = peer(bus, submitter)
    const b = peer(bus, watcher)
    const written = await entries(submitter, 6)
    // Published before anyone watches: nobody hears it yet.
    expect(await a.sync.publish(RUN, written.slice(0, 4))).toBe(false)
    const replica = b.sync.watch(RUN, SCHEMA, { writers: [id(submitter)] })
    let changes = 0
    replica.addEventListener('change', () => { changes++ })
    // Subscribing asked the submitter for what it had: sent again, validated and applied.
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(replica.state.entries()).toHaveLength(4)
    expect(await a.sync.publish(RUN, written.slice(4))).toBe(true)
    const reference = new ContextState({ contextId: RUN, schema: SCHEMA })
    for (const entry of written) reference.apply(entry)
    expect(replica.state.hash()).toBe(reference.hash())
    expect(replica.state.value()).toEqual({ findings: ['finding 1', 'finding 3', 'finding 5'], done: 3 })
    expect(changes).toBe(2)
    // The same entries again (a second newcomer's resend): nothing changes.
    await a.sync.publish(RUN, written)
    expect(replica.state.hash()).toBe(reference.hash())
    expect(changes).toBe(2)
  })

  it('refuses a forged entry, one published by another peer than its writer, a writer not allowed and a value its rule does not take', async () => {
    const bus = new Bus()
    const a = peer(bus, submitter)
    const c = peer(bus, other)
    const b = peer(bus, watcher)
    const replica = b.sync.watch(RUN, SCHEMA, { writers: [id(submitter)] })
    const [genuine] = await entries(submitter, 1)
    await a.sync.publish(RUN, [{ ...genuine!, value: 'forged' }])
    await c.sync.publish(RUN, [genuine!])
    await c.sync.publish(RUN, await entries(other, 1, 7))
    await a.sync.publish(RUN, [await write(submitter, 'done', 'many', 9)])
    // One good entry beside a forged one: the whole message is refused.
    await a.sync.publish(RUN, [genuine!, { ...genuine!, lamport: 2 }])
    // The forged entry arrives twice more: once when c joined the topic (a resends what it published to a newcomer), once beside a genuine one.
    expect(replica.refused).toEqual({
      ContextEntrySignatureError: 3, ContextSyncSenderMismatchError: 1, ContextWriterNotAllowedError: 1, ContextRuleViolationError: 1
    })
    expect(b.pubsub.verdicts.every(v => v === TopicValidatorResult.Reject)).toBe(true)
    expect(replica.state.entries()).toEqual([])
    await a.sync.publish(RUN, [genuine!])
    expect(replica.state.value()).toEqual({ findings: ['finding 1'], done: 0 })
  })

  it('refuses an entry of another run on this run\'s topic, and a message that is not an array of entries', async () => {
    const [entry] = await entries(submitter, 1)
    expect(() => readContextMessage(new TextEncoder().encode(JSON.stringify([entry])), id(submitter), 'wf-another')).toThrow(expect.objectContaining({ name: 'ContextIdMismatchError' }))
    expect(() => readContextMessage(new TextEncoder().encode('{}'), id(submitter), RUN)).toThrow(expect.objectContaining({ name: 'InvalidContextSyncMessageError' }))
    expect(() => readContextMessage(new TextEncoder().encode('[]'), id(submitter), RUN)).toThrow(expect.objectContaining({ name: 'InvalidContextSyncMessageError' }))
  })

  it('packs large entries into messages within the limit, each read back whole', async () => {
    const big = await Promise.all(Array.from({ length: 9 }, async (_, i) => write(submitter, 'findings', 'x'.repeat(60_000), i + 1)))
    const messages = packContextMessages(big)
    expect(messages.length).toBeGreaterThan(1)
    for (const message of messages) expect(message.byteLength).toBeLessThanOrEqual(MAX_CONTEXT_SYNC_MESSAGE_BYTES)
    expect(messages.flatMap(message => readContextMessage(message, id(submitter), RUN))).toEqual(big)
  })
})
