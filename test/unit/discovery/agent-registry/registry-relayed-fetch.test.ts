/**
 * An agent's module fetched from its publisher, reached only through a relay:
 * a module larger than the relay's data limit (circuit relay v2: 128 KiB in
 * all) is cut off on the relayed connection every time, so the registry
 * fetches it over a bulk connection (PeerMesh.bulkConnectionTo) with the size
 * its manifest states. Both sides are the real registry service with real
 * gossipsub over the relayed connection and the real relay; only the mesh's
 * upgrade is a stand-in (test/support/relayed-pair.ts).
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../../src/core/index.ts'
import { agentRegistryService } from '../../../../src/discovery/agent-registry/index.ts'
import type { AgentRegistryService } from '../../../../src/discovery/agent-registry/index.ts'
import type { BulkConnectionTo } from '../../../../src/network/components.ts'
import { createMemoryStore } from '../../../../src/storage/index.ts'
import { waitFor } from '../../../support/gossip-node.ts'
import { startRelayedPair, stopAfterTest } from '../../../support/relayed-pair.ts'
import type { RelayedPair, RelayedPeer } from '../../../support/relayed-pair.ts'
import { rejection } from '../../../support/rejection.ts'

const LANG_DETECT = resolve(import.meta.dirname, '../../../../src/workloads/lang-detect/lang-detect.wasm')

async function registry (peer: RelayedPeer, connectionTo: BulkConnectionTo): Promise<AgentRegistryService> {
  const agents = agentRegistryService()({
    identity: peer.identity,
    store: createMemoryStore(),
    pubsub: peer.node.services.pubsub,
    registrar: peer.node,
    connectionTo,
    connectedPeers: () => []
  })
  await agents.start()
  stopAfterTest(async () => { await agents.stop() })
  return agents
}

/** The pair's far peer publishes lang-detect as an agent; the near peer, which reaches it through the relay only, learns of it and takes `bulk(pair)` for its module. */
async function publishedThroughRelay (bulk: (pair: RelayedPair) => BulkConnectionTo) {
  const pair = await startRelayedPair()
  const module = new Uint8Array(await readFile(LANG_DETECT))
  const publisher = await registry(pair.far, async () => { throw new Error('the publisher fetches nothing') })
  const user = await registry(pair.near, bulk(pair))
  await publisher.publish({
    fields: {
      name: 'lang-detect',
      version: '1.0.0',
      description: 'Tells the language of each line.',
      licence: 'MIT',
      skills: [{ id: 'lang-detect', name: 'lang-detect', description: 'Tells languages apart.', tags: ['text'] }],
      modules: [{ name: 'lang-detect.wasm', sha256: sha256Hex(module), size: module.byteLength, entry: true }]
    },
    modules: { 'lang-detect.wasm': module }
  })
  await waitFor(() => user.list().length === 1, 'the manifest at the user')
  return { pair, module, user }
}

describe('an agent whose publisher is reached through a relay', () => {
  it('has its module, past the relayed connection\'s data limit, fetched over the direct connection', async () => {
    const { pair, module, user } = await publishedThroughRelay(pair => pair.bulkConnectionTo)
    expect(BigInt(module.byteLength)).toBeGreaterThan(pair.relayed.limits!.bytes!)
    expect((await user.resolveModule('lang-detect')).module).toEqual(module)
    expect(pair.directDials()).toBe(1)
    expect(pair.relayed.status).toBe('open')
  }, 60_000)

  it('with no direct connection to be had, the relay cuts the module off', async () => {
    const { pair, user } = await publishedThroughRelay(pair => pair.relayedOnly)
    expect((await rejection(user.resolveModule('lang-detect'))).name).toBe('AgentModuleUnavailableError')
    expect(pair.relayed.status).not.toBe('open')
  }, 60_000)
})
