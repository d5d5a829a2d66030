import { beforeAll, describe, expect, it } from 'vitest'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { authorTag, createAgentRegistry } from '../../../../src/discovery/agent-manifest/index.ts'
import type { AgentManifest, AgentManifestFields } from '../../../../src/discovery/agent-manifest/index.ts'
import { thrown } from '../../../support/rejection.ts'
import { PUBLISHED_AT, identity, signed } from './fixtures.ts'

let alice: PeerIdentity
let bob: PeerIdentity
let A: string
let B: string
/** Alice's sentiment agent, by version. */
const byAlice: Record<string, AgentManifest> = {}
let bobsSentiment: AgentManifest

/** Lightweight manifests: only the fields the registry reads differ. */
async function make (author: PeerIdentity, version: string, overrides: Partial<AgentManifestFields> = {}): Promise<AgentManifest> {
  return signed(author, { version, examples: undefined, defaults: undefined, ...overrides })
}

beforeAll(async () => {
  [alice, bob] = await Promise.all([identity(1), identity(2)])
  A = alice.peerId.toString()
  B = bob.peerId.toString()
  const versions = ['1.0.0', '1.2.0', '1.10.0', '2.0.0-rc.1', '2.0.0', '0.9.0']
  const manifests = await Promise.all(versions.map((v, i) => make(alice, v, { publishedAt: PUBLISHED_AT + i })))
  versions.forEach((v, i) => { byAlice[v] = manifests[i]! })
  bobsSentiment = await make(bob, '3.0.0')
})

describe('offer', () => {
  it('accepts a new agent, supersedes with newer versions, keeps older ones for pinned refs', () => {
    const registry = createAgentRegistry()
    expect(registry.offer(byAlice['1.0.0']!)).toMatchObject({ status: 'accepted', latest: true, evicted: [] })
    expect(registry.offer(byAlice['1.2.0']!)).toMatchObject({ status: 'superseded', previous: byAlice['1.0.0'] })
    expect(registry.offer(byAlice['0.9.0']!)).toMatchObject({ status: 'accepted', latest: false })
    expect(registry.get(A, 'sentiment')!.versions.map(m => m.version)).toEqual(['1.2.0', '1.0.0', '0.9.0'])
    expect(registry.resolve('sentiment').version).toBe('1.2.0')
    expect(registry.resolve('sentiment@1.0.0').version).toBe('1.0.0')
  })

  it('ignores a duplicate, and another manifest of a version already held', async () => {
    const registry = createAgentRegistry()
    registry.offer(byAlice['1.0.0']!)
    expect(registry.offer(byAlice['1.0.0']!)).toMatchObject({ status: 'ignored', reason: 'duplicate' })
    const resigned = await make(alice, '1.0.0+rebuild', { description: 'changed' })
    expect(registry.offer(resigned)).toMatchObject({ status: 'ignored', reason: 'version-conflict' })
    expect(registry.get(A, 'sentiment')!.latest).toBe(byAlice['1.0.0'])
  })

  it('holds the same name by another author as a different agent, never over the first', () => {
    const registry = createAgentRegistry()
    registry.offer(byAlice['1.2.0']!)
    expect(registry.offer(bobsSentiment)).toEqual({ status: 'different-agent', manifest: bobsSentiment, otherAuthors: [A], evicted: [] })
    expect(registry.get(A, 'sentiment')!.latest).toBe(byAlice['1.2.0'])
    expect(registry.authorsOf('sentiment')).toEqual([A, B].sort())
    expect(registry.list().map(entry => entry.displayName).sort())
      .toEqual([`sentiment (${authorTag(A)})`, `sentiment (${authorTag(B)})`].sort())
  })

  it('keeps the newest maxVersionsPerAgent versions', () => {
    const registry = createAgentRegistry({ maxVersionsPerAgent: 2 })
    registry.offer(byAlice['1.0.0']!)
    registry.offer(byAlice['1.2.0']!)
    expect(registry.offer(byAlice['0.9.0']!)).toMatchObject({ status: 'ignored', reason: 'older' })
    expect(registry.offer(byAlice['1.10.0']!)).toMatchObject({ status: 'superseded', evicted: [byAlice['1.0.0']] })
    expect(registry.get(A, 'sentiment')!.versions.map(m => m.version)).toEqual(['1.10.0', '1.2.0'])
  })

  it('makes room by evicting the least recently published unprotected agent', async () => {
    const [old, fresh, newest] = await Promise.all([
      make(bob, '1.0.0', { name: 'old', publishedAt: PUBLISHED_AT - 10 }),
      make(bob, '1.0.0', { name: 'fresh', publishedAt: PUBLISHED_AT + 10 }),
      make(bob, '1.0.0', { name: 'newest', publishedAt: PUBLISHED_AT + 20 })
    ])
    const registry = createAgentRegistry({ maxAgents: 2 })
    registry.offer(old!)
    registry.offer(byAlice['1.0.0']!)
    // Older than every held agent: refused rather than evicting a newer one.
    const stale = await make(bob, '1.0.0', { name: 'stale', publishedAt: PUBLISHED_AT - 20 })
    expect(registry.offer(stale)).toMatchObject({ status: 'ignored', reason: 'capacity' })
    expect(registry.offer(fresh!)).toMatchObject({ status: 'accepted', evicted: [old] })
    expect(registry.size).toBe(2)

    const guarded = createAgentRegistry({ maxAgents: 1, protectedAuthors: [A] })
    guarded.offer(byAlice['1.0.0']!)
    expect(guarded.offer(newest!)).toMatchObject({ status: 'ignored', reason: 'capacity' })
    expect(guarded.list().map(entry => entry.author)).toEqual([A])
  })

  it('refuses bad limits', () => {
    expect(thrown(() => createAgentRegistry({ maxAgents: 0 })).name).toBe('InvalidAgentRegistryOptionsError')
    expect(thrown(() => createAgentRegistry({ maxVersionsPerAgent: 1.5 })).name).toBe('InvalidAgentRegistryOptionsError')
  })
})

describe('resolve', () => {
  it('picks the newest version the range admits, prereleases only when asked', () => {
    const registry = createAgentRegistry()
    for (const manifest of Object.values(byAlice)) registry.offer(manifest)
    expect(registry.get(A, 'sentiment')!.latest.version).toBe('2.0.0')
    expect(registry.resolve('sentiment').version).toBe('2.0.0')
    expect(registry.resolve('sentiment@^1').version).toBe('1.10.0')
    expect(registry.resolve('sentiment@~1.2').version).toBe('1.2.0')
    expect(registry.resolve('sentiment@2.0.0-rc.1').version).toBe('2.0.0-rc.1')
    expect(registry.resolve('sentiment@^0.9').version).toBe('0.9.0')
    const missing = thrown(() => registry.resolve('sentiment@^3'))
    expect(missing.name).toBe('NoMatchingAgentVersionError')
    expect(thrown(() => registry.resolve('nothing')).name).toBe('AgentNotFoundError')
  })

  it('refuses an ambiguous name unless an author is preferred or trust leaves one', () => {
    const registry = createAgentRegistry()
    registry.offer(byAlice['1.2.0']!)
    registry.offer(bobsSentiment)
    let error: unknown
    try {
      registry.resolve('sentiment@^1')
    } catch (err) {
      error = err
    }
    expect(error).toMatchObject({ name: 'AmbiguousAgentNameError', agentName: 'sentiment', authors: [A, B].sort() })
    expect(registry.resolve('sentiment', { preferAuthor: B })).toBe(bobsSentiment)
    expect(registry.resolve('sentiment', { trustedAuthors: [A] })).toBe(byAlice['1.2.0'])
    // A preferred author who is not trusted does not count.
    expect(registry.resolve('sentiment', { trustedAuthors: [A], preferAuthor: B })).toBe(byAlice['1.2.0'])
    expect(thrown(() => registry.resolve('sentiment', { trustedAuthors: ['12D3KooWnobody'] })).name).toBe('AgentNotFoundError')
  })
})
