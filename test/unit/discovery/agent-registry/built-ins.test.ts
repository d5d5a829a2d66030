/**
 * Built-in agents: the build signs one manifest per workload with a build key
 * it keeps across builds (so rebuilding does not change their author), keeps
 * a manifest whose module did not change, bumps the patch of one whose module
 * did; a peer holds them as its server serves them, without gossip, and
 * fetches a module from the server only when first resolved, checked.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { verifyAgentManifest } from '../../../../src/discovery/agent-manifest/index.ts'
import {
  builtInAgentFields, holdBuiltInAgents, holdServedBuiltInAgents, parseBuiltInAgentIndex
} from '../../../../src/discovery/agent-registry/index.ts'
import { BUILD_KEY_FILE, signBuiltInAgents } from '../../../../src/build/sign-built-in-agents.ts'
import type { SampleTask } from '../../../../src/execution/sample-index.ts'
import { link, startPeer } from './peers.ts'

const dirs: string[] = []
afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }) })
const fresh = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'zerostate-built-ins-'))
  dirs.push(dir)
  return dir
}

function sample (id: string, bytes: Uint8Array, overrides: Partial<SampleTask> = {}): SampleTask {
  return {
    id,
    title: `The ${id} workload`,
    description: `Does what ${id} does.`,
    category: 'data',
    stdinKind: 'text',
    url: `samples/${id}.wasm`,
    sha256: sha256Hex(bytes),
    defaultStdin: 'some input\n',
    defaultArgs: ['--lines'],
    defaultTimeoutMs: 30_000,
    ...overrides
  }
}

/** A samples directory as the build leaves it: samples.json and the modules. */
function writeSamples (dir: string, modules: Record<string, Uint8Array>, extra: SampleTask[] = []): SampleTask[] {
  const samples = [...Object.entries(modules).map(([id, bytes]) => sample(id, bytes)), ...extra]
  for (const [id, bytes] of Object.entries(modules)) writeFileSync(join(dir, `${id}.wasm`), bytes)
  writeFileSync(join(dir, 'samples.json'), JSON.stringify(samples))
  return samples
}

describe('built-in agents', () => {
  const tally = utf8ToBytes('\0asm(tally)')
  const gzip = utf8ToBytes('\0asm(gzip)')

  it('signs the workloads with a kept build key, keeps unchanged ones, bumps the patch of a changed one', async () => {
    const [samplesDir, stateDir] = [fresh(), fresh()]
    writeSamples(samplesDir, { tally, gzip, echo: utf8ToBytes('\0asm(echo)') })
    const ids = new Set(['tally', 'gzip'])
    const first = await signBuiltInAgents({ samplesDir, stateDir, ids, now: 1_000 })
    expect(statSync(join(stateDir, BUILD_KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(first.agents.map(agent => [agent.manifest.name, agent.manifest.version, agent.url])).toEqual([
      ['tally', '1.0.0', 'samples/tally.wasm'], ['gzip', '1.0.0', 'samples/gzip.wasm']
    ])
    for (const { manifest } of first.agents) {
      expect(verifyAgentManifest(manifest, { now: 2_000 }).author).toBe(first.author)
      expect(manifest.modules).toEqual([{ name: `${manifest.name}.wasm`, sha256: sha256Hex(manifest.name === 'tally' ? tally : gzip), size: (manifest.name === 'tally' ? tally : gzip).length, entry: true }])
    }
    expect(parseBuiltInAgentIndex(JSON.parse(readFileSync(join(samplesDir, 'agents.json'), 'utf8')))).toEqual(first)

    // A rebuild empties the samples directory; the key and the last index live elsewhere.
    const changed = utf8ToBytes('\0asm(gzip, faster)')
    writeSamples(samplesDir, { tally, gzip: changed })
    const second = await signBuiltInAgents({ samplesDir, stateDir, ids, now: 5_000 })
    expect(second.author).toBe(first.author)
    expect(second.agents[0]!.manifest).toEqual(first.agents[0]!.manifest)
    expect(second.agents[1]!.manifest).toMatchObject({ name: 'gzip', version: '1.0.1', publishedAt: 5_000 })
  })

  it('keeps each field within the manifest limits', () => {
    const long = sample('image', tally, { title: 'T'.repeat(100), description: 'é'.repeat(800), stdinKind: 'image', defaultTimeoutMs: 900_000, defaultArgs: [] })
    const fields = builtInAgentFields(long, { size: tally.length }, { author: 'a', publicKey: 'k', licence: 'MIT', version: '1.0.0', publishedAt: 1 })!
    expect(utf8ToBytes(fields.description).length).toBeLessThanOrEqual(1024)
    expect(utf8ToBytes(fields.skills[0]!.name).length).toBeLessThanOrEqual(64)
    expect(utf8ToBytes(fields.skills[0]!.description).length).toBeLessThanOrEqual(512)
    expect(fields.defaults).toEqual({ timeoutMs: 300_000 })
    expect(fields.examples).toEqual([])
    expect(builtInAgentFields(sample('Not_A_Name', tally), { size: 1 }, { author: 'a', publicKey: 'k', licence: 'MIT', version: '1.0.0', publishedAt: 1 })).toBeUndefined()
  })

  /** An app server for `samplesDir`: samples/<file> from it; `tallyBytes` in place of tally.wasm when given (a server that lies). */
  async function samplesServer (samplesDir: string, options: { tallyBytes?: Uint8Array } = {}): Promise<{ base: string, served: string[], stop: () => Promise<void> }> {
    const served: string[] = []
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').replace(/^\/samples\//, '')
      served.push(path)
      if (path.includes('/')) { res.writeHead(404).end(); return }
      if (path === 'tally.wasm' && options.tallyBytes !== undefined) { res.writeHead(200).end(options.tallyBytes); return }
      try {
        res.writeHead(200).end(readFileSync(join(samplesDir, path)))
      } catch {
        res.writeHead(404).end()
      }
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    return {
      base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      served,
      stop: async () => { server.closeAllConnections(); await new Promise(resolve => server.close(resolve)) }
    }
  }

  it('a peer holds the built-ins its server serves, fetches a module only when it is first resolved, and checks it', async () => {
    const [samplesDir, stateDir] = [fresh(), fresh()]
    writeSamples(samplesDir, { tally, gzip })
    const index = await signBuiltInAgents({ samplesDir, stateDir, ids: new Set(['tally', 'gzip']), now: Date.now() })
    const server = await samplesServer(samplesDir)
    try {
      const peer = await startPeer()
      expect((await holdServedBuiltInAgents(server.base, peer.agents)).map(manifest => manifest.name)).toEqual(['tally', 'gzip'])
      expect(peer.agents.list().map(agent => [agent.name, agent.author])).toEqual([['gzip', index.author], ['tally', index.author]])
      expect(server.served).toEqual(['agents.json'])
      expect((await peer.agents.resolveModule('tally@^1')).module).toEqual(tally)
      expect(server.served).toEqual(['agents.json', 'tally.wasm'])
      // Held again at the next start: nothing is fetched, nothing changes.
      expect(holdBuiltInAgents(index, peer.agents, server.base).map(manifest => manifest.name)).toEqual(['tally', 'gzip'])
      expect((await peer.agents.resolveModule('tally@^1')).module).toEqual(tally)
      expect(server.served).toEqual(['agents.json', 'tally.wasm'])
    } finally {
      await server.stop()
    }
  }, 30_000)

  it('refuses the bytes of a server that serves another module under a built-in, and gossips no built-in', async () => {
    const [samplesDir, stateDir] = [fresh(), fresh()]
    writeSamples(samplesDir, { tally, gzip })
    const index = await signBuiltInAgents({ samplesDir, stateDir, ids: new Set(['tally', 'gzip']), now: Date.now() })
    const lying = await samplesServer(samplesDir, { tallyBytes: gzip })
    try {
      const holder = await startPeer()
      holdBuiltInAgents(index, holder.agents, lying.base)
      const failure = await holder.agents.resolveModule('tally@^1').then(() => undefined, (err: unknown) => err as Error & { cause?: Error })
      // The server's bytes were refused (they are gzip's), and no peer had better: nothing is kept.
      expect(failure?.name).toBe('AgentModuleUnavailableError')
      expect(failure?.message).toContain(`${lying.base}samples/tally.wasm`)
      expect(await holder.store.hasModule(sha256Hex(tally))).toBe(false)
      expect((await holder.agents.resolveModule('gzip@^1')).module).toEqual(gzip)
      // A peer that subscribes later gets no built-in in the re-publication round its subscription starts.
      const other = await startPeer()
      await link(holder, other)
      await new Promise(resolve => setTimeout(resolve, 2500))
      expect(other.agents.list()).toEqual([])
    } finally {
      await lying.stop()
    }
  }, 30_000)

  it('holds nothing when the server serves no index', async () => {
    const server = createServer((_req, res) => { res.writeHead(404).end() })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      const peer = await startPeer()
      expect(await holdServedBuiltInAgents(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, peer.agents)).toEqual([])
      expect(peer.agents.list()).toEqual([])
    } finally {
      server.close()
    }
  })
})
