/**
 * A witness fetching the module of an announced receipt from its announcer,
 * reached only through a relay: a module larger than the relay's data limit
 * (circuit relay v2: 128 KiB in all) was cut off halfway every time — "an
 * announced receipt was not checked UnexpectedEOFError" in the e2e logs — so
 * the witness fetches over a bulk connection (PeerMesh.bulkConnectionTo):
 * the direct one, when the relayed one may not carry it. Both sides are the
 * real WitnessService with real gossipsub over the relayed connection, the
 * real relay and the real sandbox; only the mesh's upgrade is a stand-in
 * (test/support/relayed-pair.ts).
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import { createNodeWorkerPool } from '../../../../src/execution/node-host.node.ts'
import type { BulkConnectionTo } from '../../../../src/network/components.ts'
import { filesHash, signReceipt } from '../../../../src/receipts/index.ts'
import type { ZeroStateRecords } from '../../../../src/peer/store.ts'
import { createMemoryStore } from '../../../../src/storage/index.ts'
import { RECEIPT_TOPIC, WitnessService } from '../../../../src/trust/witness/index.ts'
import { waitFor } from '../../../support/gossip-node.ts'
import { startRelayedPair, stopAfterTest } from '../../../support/relayed-pair.ts'
import type { RelayedPair, RelayedPeer } from '../../../support/relayed-pair.ts'
import { exampleUnsigned } from '../../receipts/fixtures.ts'

const LANG_DETECT = resolve(import.meta.dirname, '../../../../src/workloads/lang-detect/lang-detect.wasm')

const judged = { standing: () => ({ score: 0.5, observations: 0 }), onResolved: () => {}, onConfirmed: () => {} }

function witnessService (peer: RelayedPeer, connectionTo: BulkConnectionTo, contributing: boolean, warnings: unknown[] = []) {
  const pool = createNodeWorkerPool({ slots: 1 })
  stopAfterTest(() => { pool.stop() })
  const store = createMemoryStore<ZeroStateRecords>()
  const service = new WitnessService({
    identity: peer.identity, store, registrar: peer.node, pubsub: peer.node.services.pubsub, connectionTo, runner: pool,
    logger: { debug: () => {}, warn: (_message, err) => { warnings.push(err) }, error: () => {} }
  }, { ...judged, isContributing: () => contributing, rates: () => ({ established: 1, newcomer: 1 }) })
  stopAfterTest(async () => { await service.stop() })
  return { service, store }
}

/**
 * The pair's far peer announces a receipt of a lang-detect run it submitted;
 * the near peer, a witness that checks every receipt, reaches it through the
 * relay only and takes `bulk(pair)` for its module fetch.
 */
async function announceThroughRelay (bulk: (pair: RelayedPair) => BulkConnectionTo) {
  const pair = await startRelayedPair()
  const warnings: unknown[] = []
  const witness = witnessService(pair.near, bulk(pair), true, warnings)
  const announcer = witnessService(pair.far, async () => { throw new Error('the announcer fetches nothing') }, false)
  await Promise.all([witness.service.start(), announcer.service.start()])
  await waitFor(() => pair.far.node.services.pubsub.getSubscribers(RECEIPT_TOPIC).length > 0, 'the witness subscribed')

  const module = new Uint8Array(await readFile(LANG_DETECT))
  const stdin = utf8ToBytes('Ein schneller brauner Fuchs springt über den faulen Hund.\n')
  const executor = await createIdentity()
  // What the witness finds on re-running is beside the point here: that it re-ran it at all.
  const receipt = await signReceipt({
    ...exampleUnsigned(executor, pair.far.identity),
    moduleHash: sha256Hex(module),
    inputHash: sha256Hex(stdin),
    inputFilesHash: filesHash([]),
    startedAt: Date.now()
  }, executor)
  expect(await announcer.service.afterTask({ receipt, stdin, files: [] }, module, true)).toBe(true)
  return { pair, module, witness: witness.store, warnings }
}

describe('a witness whose announcer it reaches through a relay', () => {
  it('fetches a module past the relayed connection\'s data limit over the direct connection, and checks the receipt', async () => {
    const { pair, module, witness } = await announceThroughRelay(pair => pair.bulkConnectionTo)
    expect(pair.relayed.limits?.bytes).toBeDefined()
    expect(BigInt(module.byteLength)).toBeGreaterThan(pair.relayed.limits!.bytes!)
    for (let polls = 0; polls < 200 && (await witness.listAttestations(10)).length === 0; polls++) await new Promise(resolve => setTimeout(resolve, 100))
    expect(await witness.listAttestations(10)).toHaveLength(1)
    expect(await witness.getModule(sha256Hex(module))).toBeDefined()
    expect(pair.directDials()).toBe(1)
    expect(pair.relayed.status).toBe('open')
  }, 60_000)

  it('with no direct connection to be had, the relay cuts the module off and the receipt goes unchecked', async () => {
    const { pair, witness, warnings } = await announceThroughRelay(pair => pair.relayedOnly)
    for (let polls = 0; polls < 200 && warnings.length === 0; polls++) await new Promise(resolve => setTimeout(resolve, 100))
    expect(warnings).toHaveLength(1)
    expect(await witness.listAttestations(10)).toHaveLength(0)
    expect(pair.relayed.status).not.toBe('open')
  }, 60_000)
})
