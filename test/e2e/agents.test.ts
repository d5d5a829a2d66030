/**
 * Published agents in Chromium (docs/agent-manifest.md §12): tab A publishes
 * an agent whose module is a sample's bytes; tab B, opened after, learns it
 * (A re-publishes what it holds when B subscribes), lists it and resolves
 * `echo-agent@^1` to the module, fetched by hash from A and checked against
 * the manifest. A package whose manifest states another hash is refused
 * before anything is published; a manifest by another key under the same
 * name is held as a different agent beside the first, shown with its
 * author's tag, and the bare name becomes ambiguous where neither is one's own.
 * The built-in agents (the workloads, signed by the build key into
 * samples/agents.json) are published by every page and resolve like any other.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url } from '../../src/core/index.ts'
import { createIdentity } from '../../src/crypto/index.ts'
import { signAgentManifest } from '../../src/discovery/agent-manifest/index.ts'
import type { AgentManifest } from '../../src/discovery/agent-manifest/index.ts'
import { signBuiltInAgents } from '../../src/build/sign-built-in-agents.ts'
import { parseBuiltInAgentIndex } from '../../src/discovery/agent-registry/index.ts'
import type { BuiltInAgentIndex } from '../../src/discovery/agent-registry/index.ts'
import { ARTIFACTS, startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'

const NAME = 'echo-agent'

/** The agent's fields, its module described by the bytes' hash and size (or by `sha256` when given: a lie). */
const fieldsFor = (sha256: string, size: number): Record<string, unknown> => ({
  name: NAME,
  version: '1.0.0',
  description: 'Writes its stdin back.',
  licence: 'MIT',
  skills: [{ id: 'echo', name: 'Echo', description: 'Copies stdin to stdout.', tags: ['text'] }],
  modules: [{ name: 'echo.wasm', sha256, size, entry: true }],
  defaults: { timeoutMs: 10_000 }
})

describe('published agents across two tabs', () => {
  let harness: Harness
  let a: Peer
  let b: Peer
  let echo: Uint8Array
  let echoHash: string

  beforeAll(async () => {
    harness = await startHarness()
    a = await harness.openPeer()
    echo = new Uint8Array(await (await fetch(`${harness.mesh.url}samples/echo.wasm`)).arrayBuffer())
    echoHash = createHash('sha256').update(echo).digest('hex')
  }, 120_000)

  afterAll(async () => {
    await harness?.close()
  })

  it('tab A publishes an agent; tab B, opened after, lists it and resolves name@^1 to the module fetched from A', async () => {
    const published = await a.page.evaluate(async ({ fields }) => {
      const module = new Uint8Array(await (await fetch('samples/echo.wasm')).arrayBuffer())
      const manifest = await window.zerostate.agents.publish({ fields: fields as never, modules: { 'echo.wasm': module } })
      return { author: manifest.author, version: manifest.version, listed: window.zerostate.agents.list().filter(agent => agent.name === fields.name).map(agent => agent.displayName) }
    }, { fields: fieldsFor(echoHash, echo.length) })
    expect(published).toEqual({ author: a.peerId, version: '1.0.0', listed: [NAME] })

    b = await harness.openPeer()
    await waitForDirect(b.page, a.peerId)
    await b.page.waitForFunction(name => window.zerostate.agents.list().some(agent => agent.name === name), NAME, { timeout: 30_000, polling: 200 })
    const resolved = await b.page.evaluate(async name => {
      // Built-in agents may be listed too (when the build signed them): only this one matters here.
      const listed = window.zerostate.agents.list().filter(agent => agent.name === name).map(agent => ({ name: agent.name, author: agent.author, displayName: agent.displayName }))
      const { manifest, hash, module } = await window.zerostate.agents.resolve(`${name}@^1`)
      const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', module)), byte => byte.toString(16).padStart(2, '0')).join('')
      return { listed, author: manifest.author, version: manifest.version, hash, digest, size: module.length }
    }, NAME)
    expect(resolved).toEqual({
      listed: [{ name: NAME, author: a.peerId, displayName: NAME }],
      author: a.peerId,
      version: '1.0.0',
      hash: echoHash,
      digest: echoHash,
      size: echo.length
    })
  }, 120_000)

  it('tab B uses the agent by name in a workflow: the step runs on tab A with the module A published', async () => {
    await a.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
    await b.page.waitForFunction(peer => window.zerostate.cards().some(card => card.peerId === peer), a.peerId, { timeout: 30_000, polling: 200 })
    const ran = await b.page.evaluate(async name => {
      const spec = `version: 1
name: echo-by-name
inputs:
  text: { type: text }
dag:
  tasks:
    - name: echo
      agent: "${name}@^1"
      stdin: "\${{ inputs.text }}"
outputs:
  said: "\${{ steps.echo.stdout }}"
`
      const runner = await window.zerostate.workflow(spec, { text: 'said by name' }, { witnesses: false })
      const result = await runner.result()
      const step = runner.status().steps.find(s => s.name === 'echo')
      return { state: result.state, said: result.outputs?.said, executor: step?.executors?.[0] }
    }, NAME)
    expect(ran).toEqual({ state: 'completed', said: 'said by name', executor: a.peerId })
    await a.page.evaluate(async () => { await window.zerostate.contribute(false) })
  }, 90_000)

  it('refuses a package whose manifest states another module hash, and publishes nothing of it', async () => {
    const wrong = createHash('sha256').update('not the module').digest('hex')
    const refused = await a.page.evaluate(async ({ fields }) => {
      const module = new Uint8Array(await (await fetch('samples/echo.wasm')).arrayBuffer())
      try {
        await window.zerostate.agents.publish({ fields: { ...fields, name: 'lying-agent' } as never, modules: { 'echo.wasm': module } })
        return 'published'
      } catch (err) {
        return { name: (err as Error).name, module: (err as { module?: string }).module }
      }
    }, { fields: fieldsFor(wrong, echo.length) })
    expect(refused).toEqual({ name: 'ManifestModuleMismatchError', module: 'echo.wasm' })
    // Give gossip a moment it would have needed: nothing arrives at B.
    await new Promise(resolve => setTimeout(resolve, 2000))
    const names = await b.page.evaluate(() => window.zerostate.agents.list().map(agent => agent.name))
    expect(names).toContain(NAME)
    expect(names).not.toContain('lying-agent')
  }, 60_000)

  it('holds an agent of the same name by another key beside the first, tagged, never over it', async () => {
    const other = await createIdentity()
    const manifest: AgentManifest = await signAgentManifest({
      ...(fieldsFor(echoHash, echo.length) as never as Omit<AgentManifest, 'kind' | 'author' | 'publicKey' | 'publishedAt' | 'signature'>),
      version: '1.5.0',
      author: other.peerId.toString(),
      publicKey: bytesToBase64Url(other.publicKey),
      publishedAt: Date.now()
    }, other)
    // Tab A relays it: it holds the module, and a manifest may be published by any peer (the author's signature is what counts).
    await a.page.evaluate(async ({ manifest }) => {
      const module = new Uint8Array(await (await fetch('samples/echo.wasm')).arrayBuffer())
      await window.zerostate.agents.publishManifest(manifest, { 'echo.wasm': module })
    }, { manifest })
    await b.page.waitForFunction(name => window.zerostate.agents.list().filter(agent => agent.name === name).length === 2, NAME, { timeout: 30_000, polling: 200 })

    const tag = (peerId: string): string => `${NAME} (${peerId.slice(-8)})`
    const atB = await b.page.evaluate(async name => {
      const listed = window.zerostate.agents.list().filter(agent => agent.name === name).map(agent => ({ author: agent.author, displayName: agent.displayName, latest: agent.latest.version }))
      let error: Record<string, unknown> = {}
      try {
        await window.zerostate.agents.resolve(`${name}@^1`)
      } catch (err) {
        error = { name: (err as Error).name, authors: (err as { authors?: string[] }).authors }
      }
      return { listed, error }
    }, NAME)
    expect(atB.listed).toEqual(expect.arrayContaining([
      { author: a.peerId, displayName: tag(a.peerId), latest: '1.0.0' },
      { author: other.peerId.toString(), displayName: tag(other.peerId.toString()), latest: '1.5.0' }
    ]))
    expect(atB.listed).toHaveLength(2)
    expect(atB.error).toEqual({ name: 'AmbiguousAgentNameError', authors: [a.peerId, other.peerId.toString()].sort() })

    // At A, its own agent is the one the bare name means: the newer version by the other key did not replace it.
    const atA = await a.page.evaluate(async name => (await window.zerostate.agents.resolve(`${name}@^1`)).manifest.version, NAME)
    expect(atA).toBe('1.0.0')
  }, 60_000)
})

describe('built-in agents: the workloads, signed at build time, published by the pages', () => {
  const samplesDir = join(import.meta.dirname, '..', '..', 'dist', 'samples')
  const stateDir = mkdtempSync(join(tmpdir(), 'zerostate-e2e-build-key-'))
  const indexFile = join(samplesDir, 'agents.json')
  let signedHere = false
  let harness: Harness
  let index: BuiltInAgentIndex

  beforeAll(async () => {
    if (existsSync(indexFile)) {
      index = parseBuiltInAgentIndex(JSON.parse(readFileSync(indexFile, 'utf8')))
    } else {
      // The build step (src/build/sign-built-in-agents.ts) over the built samples, when the build did not run it.
      index = await signBuiltInAgents({ samplesDir, stateDir })
      signedHere = true
    }
    harness = await startHarness()
  }, 120_000)

  afterAll(async () => {
    await harness?.close()
    if (signedHere) rmSync(indexFile, { force: true })
    rmSync(stateDir, { recursive: true, force: true })
  })

  it('a tab holds every built-in, by the build key, and resolves lang-detect@^1 to the sample it serves', async () => {
    expect(index.agents.map(agent => agent.manifest.name)).toEqual(expect.arrayContaining(['lang-detect', 'face-expression', 'image', 'csv-to-json', 'tally']))
    const tab = await harness.openPeer()
    await tab.page.waitForFunction(count => window.zerostate.agents.list().length === count, index.agents.length, { timeout: 60_000, polling: 200 })
    const held = await tab.page.evaluate(async () => {
      const authors = [...new Set(window.zerostate.agents.list().map(agent => agent.author))]
      const { manifest, hash } = await window.zerostate.agents.resolve('lang-detect@^1')
      const samples = await (await fetch('samples/samples.json')).json() as Array<{ id: string, sha256: string }>
      return { authors, author: manifest.author, hash, sampleHash: samples.find(sample => sample.id === 'lang-detect')?.sha256 }
    })
    expect(held).toEqual({ authors: [index.author], author: index.author, hash: held.sampleHash, sampleHash: expect.stringMatching(/^[0-9a-f]{64}$/) })
  }, 120_000)

  it('the marketplace lists them, finds lang-detect by what it does, runs it on another tab and shows its record', async () => {
    const user = await harness.openPeer()
    const worker = await harness.openPeer()
    await worker.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
    await waitForDirect(user.page, worker.peerId)
    await user.page.waitForFunction(count => window.zerostate.agents.list().length === count, index.agents.length, { timeout: 60_000, polling: 200 })
    await expect.poll(async () => user.page.locator('[data-testid="agent-card"]').count(), { timeout: 10_000 }).toBe(index.agents.length)

    await showSection(user.page, 'agents')
    await user.page.locator('[data-testid="agent-search"]').fill('detect the language of a text')
    await expect.poll(async () => user.page.locator('[data-testid="agent-card"]').first().getAttribute('data-agent'), { timeout: 10_000 }).toBe('lang-detect')
    const card = user.page.locator('[data-testid="agent-card"][data-agent="lang-detect"]')
    await expect.poll(async () => card.locator('[data-testid="agent-record"]').textContent()).toContain('No runs seen')

    await card.locator('[data-testid="agent-run"]').click()
    // The run is an ordinary task: its card, its receipt, and one run more in the agent's record.
    await user.page.waitForFunction(() => window.zerostate.history().some(record => record.label.startsWith('lang-detect@') && record.receipt.status === 'ok'), undefined, { timeout: 60_000, polling: 200 })
    const ran = await user.page.evaluate(() => window.zerostate.history().find(record => record.label.startsWith('lang-detect@'))!.receipt.executor)
    expect(ran).toBe(worker.peerId)
    await expect.poll(async () => card.locator('[data-testid="agent-record"]').textContent(), { timeout: 10_000 }).toMatch(/1\s*run\b[\s\S]*100 %/)
    await user.page.locator('section.agents').screenshot({ path: join(ARTIFACTS, 'marketplace.png') })

    // Use in a workflow: the editor gets a valid one-step spec naming the agent.
    await card.locator('[data-testid="agent-use"]').click()
    // It takes the user to the Workflows section.
    await expect.poll(async () => user.page.evaluate(() => location.hash)).toBe('#/workflows')
    // The URL changes first; the section shows on the `hashchange` that follows, at the app's next render.
    await expect.poll(async () => user.page.getByTestId('page-workflows').isVisible()).toBe(true)
    await expect.poll(async () => user.page.locator('[data-testid="workflow-spec"]').inputValue()).toMatch(/agent: "lang-detect@\d+\.\d+\.\d+"/)
    await expect.poll(async () => user.page.locator('[data-testid="workflow-valid"]').count()).toBe(1)
  }, 180_000)
})
