/**
 * `zerostate agent publish` on a real mesh: a relay in this process, the
 * publisher a Node peer through the SDK (`connect()`, `mesh.agents.publish`)
 * with its identity in --home, and a second Node peer that receives the
 * signed manifest over gossip, resolves `name@version` to the entry module
 * fetched by hash from the publisher, and gets exactly the built bytes, which
 * pass the agent's examples there; a third peer runs it by name in a workflow
 * (`agent: wc-pub@0.1.0`) on the second, which contributes. Before joining
 * the mesh, publish refuses an agent whose examples fail.
 */
import { EventEmitter } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentCommand } from '../../../src/cli/agent.ts'
import { runExamples } from '../../../src/cli/agent-test.ts'
import { readBuiltAgent } from '../../../src/cli/agent-project.ts'
import type { MeshCliIo } from '../../../src/cli/mesh-session.ts'
import { noopLogger } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import { agentManifestHash, verifyAgentManifest } from '../../../src/discovery/agent-manifest/index.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { connect } from '../../../src/peer/connect.node.ts'
import type { Mesh } from '../../../src/peer/connect.node.ts'
import { startRelay } from '../../../src/server/relay.ts'
import type { Relay } from '../../../src/server/relay.ts'

interface Outcome { code: number, stdout: string, stderr: string }

/** Runs `zerostate agent …argv` with its output captured, `connect` the SDK's (or one that must not be called). */
async function agent (argv: string[], options: { connect?: MeshCliIo['connect'], signals?: EventEmitter, onStdout?: (text: string) => void } = {}): Promise<Outcome> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', chunk => { out += String(chunk); options.onStdout?.(out) })
  stderr.on('data', chunk => { err += String(chunk) })
  const io: MeshCliIo = {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env: {},
    signals: options.signals ?? new EventEmitter(),
    connect: options.connect ?? (async () => { throw new Error('must not join the mesh') }),
    exit: code => { throw new Error(`exit ${code}`) },
    now: () => Date.now()
  }
  const code = await agentCommand(argv, io)
  return { code, stdout: out, stderr: err }
}

describe('agent publish', () => {
  let root: string
  let relay: Relay
  let reader: Mesh | undefined
  let runner: Mesh | undefined
  const agentDir = (): string => join(root, 'wc-pub')

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'zerostate-agent-publish-'))
    expect((await agent(['init', 'wc-pub', '--dir', agentDir()])).code).toBe(0)
    expect((await agent(['build', '--dir', agentDir()])).code).toBe(0)
    relay = await startRelay({ host: '127.0.0.1', port: 0, logger: noopLogger })
  }, 60_000)

  afterAll(async () => {
    await runner?.close()
    await reader?.close()
    await relay?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('refuses an agent whose examples fail, before joining the mesh', async () => {
    const path = join(agentDir(), 'agent.json')
    const original = await readFile(path, 'utf8')
    try {
      const json = JSON.parse(original) as { examples: Array<{ expectedStdout: { text: string } }> }
      json.examples[1]!.expectedStdout = { text: 'nothing\n' }
      await writeFile(path, JSON.stringify(json))
      const outcome = await agent(['publish', '--dir', agentDir(), '--relay-addr', relay.multiaddrs[0]!, '--home', join(root, 'never')])
      expect(outcome.code).toBe(1)
      expect(outcome.stderr).toContain('1 of 3 examples of wc-pub@0.1.0 fail; not published')
      expect(outcome.stderr).toContain('empty input: stdout differs from expectedStdout at byte 0')
    } finally {
      await writeFile(path, original)
    }
  })

  it('says so when no other peer is connected: only this peer holds it', async () => {
    const outcome = await agent(['publish', '--dir', agentDir(), '--relay-addr', relay.multiaddrs[0]!, '--home', join(root, 'alone'), '--wait-peers', '0'], {
      connect: async options => connect(options)
    })
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toMatch(/^published wc-pub@0\.1\.0\n {2}author {4}12D3KooW\w+\n {2}manifest {2}sha256 [0-9a-f]{64}\n {2}module {4}wc-pub\.wasm: \d+ bytes, sha256 [0-9a-f]{64}\n$/)
    expect(outcome.stderr).toContain('no other peer was connected: only this peer holds it (in --home)')
    const hash = /manifest {2}sha256 ([0-9a-f]{64})/.exec(outcome.stdout)![1]

    // The same build again from the same --home: the manifest it holds, announced again (not a re-signed, refused copy).
    const again = await agent(['publish', '--dir', agentDir(), '--relay-addr', relay.multiaddrs[0]!, '--home', join(root, 'alone'), '--wait-peers', '0'], {
      connect: async options => connect(options)
    })
    expect(again.code).toBe(0)
    expect(again.stderr).toMatch(/wc-pub@0\.1\.0 was published from this --home on \d{4}-\d\d-\d\dT[\d:.]+Z: announcing it again/)
    expect(again.stdout).toContain(`manifest  sha256 ${hash}`)

    // Another build of the same version is refused by the registry: versions are immutable.
    const json = join(agentDir(), 'agent.json')
    const original = await readFile(json, 'utf8')
    try {
      await writeFile(json, original.replace('"licence": "MIT"', '"licence": "Apache-2.0"'))
      const conflict = await agent(['publish', '--dir', agentDir(), '--relay-addr', relay.multiaddrs[0]!, '--home', join(root, 'alone'), '--wait-peers', '0'], {
        connect: async options => connect(options)
      })
      expect(conflict.code).toBe(1)
      expect(conflict.stderr).toContain('AgentPublishRefusedError: wc-pub@0.1.0 was not taken (version-conflict)')
    } finally {
      await writeFile(json, original)
    }
  }, 60_000)

  it('signs it with the key in --home and publishes it; another peer resolves wc-pub@0.1.0 to the built module, a third runs it in a workflow', async () => {
    const relays = [relay.multiaddrs[0]!]
    // The reader contributes: the runner's workflow step runs there.
    reader = await connect({ relays, dir: join(root, 'reader'), contribute: { slots: 1 }, logger: noopLogger, signal: AbortSignal.timeout(30_000) })
    const signals = new EventEmitter()
    let printed: ((text: string) => void) | undefined
    const published = new Promise<string>(resolve => { printed = text => { if (text.includes('\n')) resolve(text) } })
    const run = agent(['publish', '--dir', agentDir(), '--relay-addr', relays[0]!, '--home', join(root, 'publisher'), '--stay', '--json'], {
      connect: async options => connect(options), signals, onStdout: text => printed?.(text)
    })
    const report = JSON.parse(await Promise.race([published, run.then(outcome => { throw new Error(`publish ended: ${JSON.stringify(outcome)}`) })])) as {
      name: string, version: string, author: string, manifestHash: string, modules: Array<{ name: string, sha256: string, size: number }>, peers: number
    }
    const built = await readBuiltAgent(agentDir())
    expect(report).toMatchObject({ name: 'wc-pub', version: '0.1.0', modules: [{ name: 'wc-pub.wasm', sha256: built.entry.sha256, size: built.entry.size }] })
    // The key in --home signed it: the PeerId of the seed in identity.key.
    const identity = await createIdentity(new Uint8Array(await readFile(join(root, 'publisher', 'identity.key'))))
    expect(report.author).toBe(identity.peerId.toString())
    expect(report.peers).toBeGreaterThanOrEqual(1)

    // The other peer: the manifest over gossip, the module fetched by hash from the publisher, both checked.
    await expect.poll(() => reader!.agents.list().map(entry => entry.name), { timeout: 30_000 }).toContain('wc-pub')
    const resolved = await reader.agents.resolve('wc-pub@0.1.0', { signal: AbortSignal.timeout(30_000) })
    const manifest = verifyAgentManifest(resolved.manifest, { now: Date.now() })
    expect(manifest.author).toBe(report.author)
    expect(agentManifestHash(manifest)).toBe(report.manifestHash)
    expect(resolved.module).toEqual(built.modules['wc-pub.wasm'])
    const pool = createNodeWorkerPool({ slots: 1 })
    try {
      const outcomes = await runExamples(manifest, resolved.module, resolved.hash, pool)
      expect(outcomes.map(outcome => [outcome.name, outcome.pass])).toEqual([['two lines', true], ['empty input', true], ['utf-8 counts bytes', true]])
    } finally {
      pool.stop()
    }

    // A third peer runs it by name in a workflow: the step resolves wc-pub@0.1.0 and runs on the reader.
    runner = await connect({ relays, dir: join(root, 'runner'), logger: noopLogger, signal: AbortSignal.timeout(30_000) })
    await runner.waitForExecutors(1, { timeoutMs: 30_000 })
    // eslint-disable-next-line no-template-curly-in-string -- '${{ … }}' is the workflow template syntax, not a mistaken JS template
    const spec = 'version: 1\nname: count-words\ninputs:\n  text: { type: text }\ndag:\n  tasks:\n    - name: count\n      agent: wc-pub@0.1.0\n      stdin: "${{ inputs.text }}"\noutputs:\n  counts: "${{ steps.count.stdout }}"\n'
    const workflow = await runner.workflow(spec, { text: 'one two three\nfour\n' }, { signal: AbortSignal.timeout(60_000) })
    const { state, outputs } = await workflow.result()
    expect(state, JSON.stringify(workflow.status().steps.map(step => step.lastError))).toBe('completed')
    expect(outputs?.counts).toBe('{"lines":2,"words":4,"bytes":19}\n')

    signals.emit('SIGINT')
    const outcome = await run
    expect(outcome.code).toBe(130)
  }, 90_000)
})
