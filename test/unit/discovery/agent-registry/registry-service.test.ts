/**
 * The agent registry service between real libp2p nodes in Node (websockets,
 * noise, yamux, gossipsub): a manifest published before a peer joined reaches
 * it, its module is fetched by hash from the publisher (and from a peer that
 * only relayed it), and bad input is refused by name.
 */
import { describe, expect, it } from 'vitest'
import { canonicalize, sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { AGENT_MANIFEST_TOPIC, agentManifestHash } from '../../../../src/discovery/agent-manifest/index.ts'
import type { AgentManifest } from '../../../../src/discovery/agent-manifest/index.ts'
import type { AgentPackageFields } from '../../../../src/discovery/agent-registry/index.ts'
import { MODULE_FETCH_PROTOCOL, fetchModule, moduleServer } from '../../../../src/network/module-fetch/index.ts'
import { gossipStats } from '../../../../src/network/topic-channel.ts'
import { createMemoryStore } from '../../../../src/storage/index.ts'
import { rejection } from '../../../support/rejection.ts'
import { DATA_BYTES, ENTRY_BYTES, identity, signed } from '../agent-manifest/fixtures.ts'
import { link, startPeer, waitFor } from './peers.ts'
import type { TestPeer } from './peers.ts'

function packageFields (name: string, version: string, modules: Record<string, Uint8Array>): AgentPackageFields {
  return {
    name,
    version,
    description: `The ${name} agent.`,
    licence: 'MIT',
    skills: [{ id: name, name, description: `Runs ${name}.`, tags: ['test'] }],
    modules: Object.entries(modules).map(([moduleName, bytes], i) => ({
      name: moduleName, sha256: sha256Hex(bytes), size: bytes.length, ...(i === 0 ? { entry: true as const } : {})
    }))
  }
}

/** Each has the other's subscription: both gossip streams are open, so a raw publication reaches the other. */
async function subscribedBothWays (a: TestPeer, b: TestPeer): Promise<void> {
  await waitFor(() => a.node.services.pubsub.getSubscribers(AGENT_MANIFEST_TOPIC).length > 0 &&
    b.node.services.pubsub.getSubscribers(AGENT_MANIFEST_TOPIC).length > 0, 'the topic subscribed both ways')
}

const MODULE = utf8ToBytes('\0asm(echo agent entry module)')

describe('agent registry service over libp2p', () => {
  it('a peer that joins later learns an agent published earlier and fetches its module by hash from the publisher', async () => {
    const alice = await startPeer()
    const manifest = await alice.agents.publish({ fields: packageFields('echo', '1.0.0', { 'echo.wasm': MODULE }), modules: { 'echo.wasm': MODULE } })
    expect(manifest.author).toBe(alice.identity.peerId.toString())
    expect(alice.events.map(event => event.status)).toEqual(['accepted'])
    expect(await alice.store.listManifests()).toEqual([expect.objectContaining({ hash: agentManifestHash(manifest), manifest })])

    const bob = await startPeer()
    await link(alice, bob)
    // Alice re-publishes what she holds when Bob subscribes.
    await waitFor(() => bob.agents.list().length === 1, 'the manifest at bob')
    expect(bob.events).toEqual([expect.objectContaining({ status: 'accepted', from: alice.identity.peerId.toString() })])
    expect(await bob.store.hasModule(sha256Hex(MODULE))).toBe(false)
    const resolved = await bob.agents.resolveModule('echo@^1')
    expect(resolved.manifest).toEqual(manifest)
    expect(resolved.hash).toBe(sha256Hex(MODULE))
    expect(resolved.module).toEqual(MODULE)
    expect(await bob.store.getModule(sha256Hex(MODULE))).toEqual(MODULE)

    // Carol meets only Bob, who relayed the manifest and now holds the module: she gets both from him.
    const carol = await startPeer()
    await link(bob, carol)
    await waitFor(() => carol.agents.list().length === 1, 'the manifest at carol')
    expect(carol.events[0]?.from).toBe(bob.identity.peerId.toString())
    await alice.agents.stop()
    await alice.node.stop()
    expect((await carol.agents.resolveModule('echo')).module).toEqual(MODULE)
  }, 30_000)

  it('refuses a package whose module does not match its manifest, and keeps nothing of it', async () => {
    const alice = await startPeer()
    const other = utf8ToBytes('\0asm(some other module)')
    const fields = packageFields('echo', '1.0.0', { 'echo.wasm': MODULE })
    const err = await rejection(alice.agents.publish({ fields, modules: { 'echo.wasm': other } }))
    expect(err.name).toBe('ManifestModuleMismatchError')
    expect((await rejection(alice.agents.publish({ fields, modules: {} }))).name).toBe('AgentModuleMissingError')
    expect((await rejection(alice.agents.publish({ fields, modules: { 'echo.wasm': MODULE, 'extra.wasm': MODULE } }))).name).toBe('AgentModuleMissingError')
    expect(alice.agents.list()).toEqual([])
    expect(await alice.store.listManifests()).toEqual([])
    expect(await alice.store.hasModule(sha256Hex(other))).toBe(false)
  })

  it('holds another author\'s agent of the same name beside the first, supersedes only by the same key, and refuses a rewritten version', async () => {
    const alice = await startPeer()
    const bob = await startPeer()
    await link(alice, bob)
    const mine = await alice.agents.publish({ fields: packageFields('sentiment', '1.0.0', { 'echo.wasm': MODULE }), modules: { 'echo.wasm': MODULE } })
    await waitFor(() => bob.agents.list().length === 1, 'alice\'s agent at bob')

    // Mallory signs a manifest of the same name; Alice relays it (she holds its modules).
    const mallory = await identity(99)
    const theirs = await signed(mallory, { name: 'sentiment', version: '9.0.0', publishedAt: Date.now() })
    await alice.agents.publishManifest(theirs, { 'sentiment.wasm': ENTRY_BYTES, 'lexicon.bin': DATA_BYTES })
    expect(alice.events.at(-1)).toMatchObject({ status: 'different-agent', otherAuthors: [alice.identity.peerId.toString()] })
    await waitFor(() => bob.agents.list().length === 2, 'mallory\'s agent at bob')
    expect(bob.events.at(-1)?.status).toBe('different-agent')
    expect(bob.agents.list().map(agent => agent.displayName).sort()).toEqual([
      `sentiment (${alice.identity.peerId.toString().slice(-8)})`, `sentiment (${mallory.peerId.toString().slice(-8)})`
    ].sort())
    // Neither is Bob's: the name alone no longer says which is meant. Alice's own wins at Alice.
    expect((await rejection(bob.agents.resolveModule('sentiment'))).name).toBe('AmbiguousAgentNameError')
    expect(alice.agents.resolve('sentiment').author).toBe(alice.identity.peerId.toString())
    expect(bob.agents.resolve('sentiment', { preferAuthor: mallory.peerId.toString() }).version).toBe('9.0.0')
    expect((await bob.agents.resolveModule('sentiment', { trustedAuthors: [alice.identity.peerId.toString()] })).module).toEqual(MODULE)

    // A newer version by Alice supersedes hers, never Mallory's.
    const newer = await alice.agents.publish({ fields: packageFields('sentiment', '1.1.0', { 'echo.wasm': MODULE }), modules: { 'echo.wasm': MODULE } })
    await waitFor(() => bob.events.at(-1)?.status === 'superseded', 'the newer version at bob')
    expect(bob.events.at(-1)).toMatchObject({ previous: mine, manifest: newer })
    expect(bob.agents.resolve('sentiment@^1', { preferAuthor: alice.identity.peerId.toString() }).version).toBe('1.1.0')

    // The same version with other content: versions are immutable.
    const rewritten = await rejection(alice.agents.publish({ fields: { ...packageFields('sentiment', '1.1.0', { 'echo.wasm': MODULE }), description: 'changed' }, modules: { 'echo.wasm': MODULE } }))
    expect(rewritten).toMatchObject({ name: 'AgentPublishRefusedError', reason: 'version-conflict' })
  }, 30_000)

  it('rejects a forged manifest before forwarding it, and one dated in the future', async () => {
    const alice = await startPeer()
    const bob = await startPeer()
    await link(alice, bob)
    await subscribedBothWays(alice, bob)
    const real = await signed(await identity(98), { publishedAt: Date.now() })
    const forged: AgentManifest = { ...real, description: 'altered after signing' }
    await alice.node.services.pubsub.publish(AGENT_MANIFEST_TOPIC, utf8ToBytes(JSON.stringify(forged)))
    const future = await signed(await identity(98), { version: '2.0.0', publishedAt: Date.now() + 3_600_000 })
    await alice.node.services.pubsub.publish(AGENT_MANIFEST_TOPIC, utf8ToBytes(JSON.stringify(future)))
    await alice.node.services.pubsub.publish(AGENT_MANIFEST_TOPIC, utf8ToBytes('{"not":"a manifest"'))
    await waitFor(() => {
      const rejected = gossipStats(bob.node.services.pubsub)[AGENT_MANIFEST_TOPIC]?.rejected ?? {}
      return rejected.AgentManifestSignatureError === 1 && rejected.AgentManifestNotYetValidError === 1 && rejected.malformed === 1
    }, 'three rejections at bob')
    expect(bob.agents.list()).toEqual([])
    expect(await bob.store.listManifests()).toEqual([])
  }, 30_000)

  it('reloads the manifests it kept, verifying each again and dropping what does not verify', async () => {
    const store = createMemoryStore()
    const me = await identity(50)
    const first = await startPeer({ store, identity: me })
    const manifest = await first.agents.publish({ fields: packageFields('echo', '1.0.0', { 'echo.wasm': MODULE }), modules: { 'echo.wasm': MODULE } })
    await first.agents.stop()
    await first.node.stop()
    const tampered = { ...manifest, version: '2.0.0' }
    await store.putManifest({ hash: sha256Hex(utf8ToBytes(canonicalize(tampered))), manifest: tampered, storedAt: 2 })

    const again = await startPeer({ store, identity: me })
    expect(again.agents.list().map(agent => agent.latest)).toEqual([manifest])
    expect((await store.listManifests()).map(record => record.manifest)).toEqual([manifest])
    expect((await again.agents.resolveModule('echo@1.0.0')).module).toEqual(MODULE)
  }, 30_000)

  it('says which peers it asked when none serves the module', async () => {
    const alice = await startPeer()
    const bob = await startPeer()
    await link(alice, bob)
    // Mallory's manifest names a module nobody holds; Bob hears it through Alice's raw publication.
    await subscribedBothWays(alice, bob)
    const orphan = await signed(await identity(97), { publishedAt: Date.now() })
    await alice.node.services.pubsub.publish(AGENT_MANIFEST_TOPIC, utf8ToBytes(JSON.stringify(orphan)))
    await waitFor(() => bob.agents.list().length === 1, 'the orphan at bob')
    const err = await rejection(bob.agents.resolveModule('sentiment'))
    expect(err.name).toBe('AgentModuleUnavailableError')
    expect(err.tried).toContain(alice.identity.peerId.toString())
  }, 30_000)
})

describe('module server: several services share the one protocol handler', () => {
  it('serves what any of them shares, and stops serving what a stopped one shared', async () => {
    const server = await startPeer()
    const client = await startPeer()
    const [a, b] = [utf8ToBytes('a witness module'), utf8ToBytes('an agent module')]
    const held = new Map([[sha256Hex(a), a], [sha256Hex(b), b]])
    const store = { getModule: async (hash: string) => held.get(hash) }
    // The server's registry already runs its own module server on this registrar.
    const witness = moduleServer({ shares: hash => hash === sha256Hex(a) })({ registrar: server.node, store })
    const agents = moduleServer({ shares: hash => hash === sha256Hex(b) })({ registrar: server.node, store })
    await witness.start()
    await agents.start()
    const connection = await client.node.dial(server.node.getMultiaddrs()[0]!)
    expect(await fetchModule(connection, sha256Hex(a))).toEqual(a)
    expect(await fetchModule(connection, sha256Hex(b))).toEqual(b)
    await witness.stop()
    expect((await rejection(fetchModule(connection, sha256Hex(a)))).name).toBe('ModuleNotFoundError')
    expect(await fetchModule(connection, sha256Hex(b))).toEqual(b)
    await agents.stop()
    await server.agents.stop()
    expect(server.node.getProtocols()).not.toContain(MODULE_FETCH_PROTOCOL)
  }, 30_000)
})
