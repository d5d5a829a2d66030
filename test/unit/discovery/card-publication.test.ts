/**
 * The card service publishes its own cards one at a time, in the order of
 * their sequence numbers, however long each signature takes: receivers keep
 * the highest sequence and ignore a lower one as replayed (card-cache.ts).
 */
import { describe, expect, it } from 'vitest'
import { ed25519Sign } from '../../../src/crypto/index.ts'
import { AgentCardService } from '../../../src/discovery/index.ts'
import type { AgentCard, OwnCapabilities } from '../../../src/discovery/index.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import type { ZeroStateRecords } from '../../../src/peer/store.ts'
import { cardPubsub, peer } from './fixtures.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** How the identity's i-th signature goes: after so many ms, and whether it fails then. */
interface Signing { delayMs: number, fails?: boolean }

/**
 * A service whose identity takes `signings[i].delayMs` over its i-th
 * signature (as a signature on WebCrypto's thread may), and the cards it
 * published, in order.
 */
async function serviceWithSlowSignatures (signings: Array<number | Signing>, own: () => OwnCapabilities): Promise<{ service: AgentCardService, sent: AgentCard[] }> {
  const made = await peer()
  let calls = 0
  const identity = {
    ...made,
    sign: async (message: Uint8Array) => {
      const step = signings[calls++] ?? 0
      const { delayMs, fails = false } = typeof step === 'number' ? { delayMs: step } : step
      await sleep(delayMs)
      if (fails) throw new Error('signing failed')
      return ed25519Sign(message, made.seed)
    }
  }
  const { pubsub, sent } = cardPubsub(identity)
  const service = new AgentCardService({ identity, store: createMemoryStore<ZeroStateRecords>(), pubsub }, {
    benchmark: { fuelPerMs: 1, reference: 'a'.repeat(64) },
    own
  })
  return { service, sent }
}

function capabilities (workerSlots: number): OwnCapabilities {
  return { contributing: true, workerSlots, memoryLimitBytes: 2 ** 20, tags: [], prices: { perMegaFuel: 0, perSecond: 0, perMb: 0 }, warmModules: [] }
}

describe('AgentCardService publication order', () => {
  it('publishes overlapping refreshes in the order of their sequence numbers when an earlier signature is slower', async () => {
    // The start's card signs at once; the next one takes 40 ms, the one asked for during it none.
    const { service, sent } = await serviceWithSlowSignatures([0, 40, 0], () => capabilities(1))
    await service.start()
    const first = service.refresh()
    const second = service.refresh()
    await Promise.all([first, second])
    expect(sent).toHaveLength(3)
    const sequences = sent.map(card => card.sequence)
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
    expect(new Set(sequences).size).toBe(3)
    // max(previous + 1, issuedAt) (docs/agent-card.md §6): never behind the card's own time.
    for (const card of sent) expect(card.sequence).toBeGreaterThanOrEqual(card.issuedAt)
    service.stop()
  })

  it('makes the refreshes asked for during a publication share one, which reads the state after all of them', async () => {
    let slots = 1
    const { service, sent } = await serviceWithSlowSignatures([0, 30, 0, 0], () => capabilities(slots))
    await service.start()
    const under = service.refresh()
    slots = 2
    const a = service.refresh()
    slots = 3
    const b = service.refresh()
    await Promise.all([under, a, b])
    expect(sent.map(card => card.workerSlots)).toEqual([1, 1, 3])
    // Once nothing is under way a refresh publishes at once, on its own.
    slots = 4
    await service.refresh()
    expect(sent.map(card => card.workerSlots)).toEqual([1, 1, 3, 4])
    service.stop()
  })

  it('publishes a refresh asked for during a publication that fails', async () => {
    const { service, sent } = await serviceWithSlowSignatures([0, { delayMs: 30, fails: true }, 0], () => capabilities(1))
    await service.start()
    const failing = service.refresh()
    const queued = service.refresh()
    await expect(failing).rejects.toThrow('signing failed')
    await queued
    expect(sent).toHaveLength(2)
    expect(sent[1]!.sequence).toBeGreaterThan(sent[0]!.sequence)
    service.stop()
  })
})
