import { beforeAll, describe, expect, it } from 'vitest'
import { agentListings, listingTags, searchListings } from '../../../src/app/marketplace.ts'
import type { AgentListing } from '../../../src/app/marketplace.ts'
import { sha256Hex, utf8ToBytes } from '../../../src/core/index.ts'
import { agentManifestHash, authorTag, createAgentRegistry } from '../../../src/discovery/agent-manifest/index.ts'
import { AgentStatsBook } from '../../../src/trust/agent-stats/index.ts'
import type { Receipt } from '../../../src/receipts/types.ts'
import { identity, signed } from '../discovery/agent-manifest/fixtures.ts'

let listings: AgentListing[]
let alice = ''
let bob = ''
let entryHash = ''

beforeAll(async () => {
  const [a, b] = await Promise.all([identity(1), identity(2)])
  alice = a.peerId.toString()
  bob = b.peerId.toString()
  const registry = createAgentRegistry()
  const sentiment = await signed(a, { version: '1.0.0' })
  registry.offer(sentiment)
  registry.offer(await signed(a, { version: '1.1.0' }))
  registry.offer(await signed(b, { version: '0.1.0', description: 'Bob\'s own sentiment agent, for tweets.' }))
  const zip = await signed(a, {
    name: 'zip',
    description: 'Compresses files with DEFLATE.',
    skills: [{ id: 'compress', name: 'Compress', description: 'Compresses stdin.', tags: ['compression'] }],
    modules: [{ name: 'zip.wasm', sha256: sha256Hex(utf8ToBytes('zip')), size: 3, entry: true }]
  })
  registry.offer(zip)
  entryHash = sentiment.modules[0]!.sha256
  const book = new AgentStatsBook()
  const run = (status: Receipt['status'], durationMs: number): Receipt => ({ moduleHash: entryHash, status, durationMs, fuelUsed: 5000, executor: bob } as Receipt)
  book.observeReceipt(run('ok', 100), 'r1', 1)
  book.observeReceipt(run('trap', 300), 'r2', 2)
  book.observeDisagreement('r2')
  listings = agentListings(registry.list(), hash => book.statsOf(hash), alice)
  expect(agentManifestHash(sentiment)).toMatch(/^[0-9a-f]{64}$/)
})

describe('agentListings', () => {
  it('lists each agent by its newest version, with the tags of its skills and the record of its entry module', () => {
    const mine = listings.find(listing => listing.author === alice && listing.name === 'sentiment')!
    expect(mine).toMatchObject({
      id: `${alice}/sentiment`,
      version: '1.1.0',
      versions: ['1.1.0', '1.0.0'],
      ref: 'sentiment@1.1.0',
      displayName: `sentiment (${authorTag(alice)})`,
      tags: ['nlp', 'text'],
      moduleHash: entryHash,
      own: true,
      example: { name: 'positive', stdin: { text: 'good day' } }
    })
    expect(mine.record).toMatchObject({ runs: 2, succeeded: 1, disputes: 1, medianDurationMs: 200 })
    const bobs = listings.find(listing => listing.author === bob)!
    expect(bobs.own).toBe(false)
    expect(listings.find(listing => listing.name === 'zip')!.record).toBeNull()
  })

  it('collects the tags once, sorted', () => {
    expect(listingTags(listings)).toEqual(['compression', 'nlp', 'text'])
  })
})

describe('searchListings', () => {
  it('ranks by text, filters by tags, and keeps the registry order for an empty text', () => {
    expect(searchListings(listings, 'compress files')[0]!.name).toBe('zip')
    expect(searchListings(listings, 'tweets sentiment')[0]!.author).toBe(bob)
    expect(searchListings(listings, '', ['nlp']).map(listing => listing.name)).toEqual(['sentiment', 'sentiment'])
    expect(searchListings(listings, '')).toEqual(listings)
    expect(searchListings(listings, 'compress', ['nlp']).map(listing => listing.name)).not.toContain('zip')
  })
})
