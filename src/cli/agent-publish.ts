/**
 * `zerostate agent publish [--dir] [--server URL | --relay-addr MA] [--home DIR]`:
 * signs the built agent with the developer's identity (identity.key in the
 * Node peer's directory, --home / ZEROSTATE_HOME / ~/.zerostate) and
 * publishes it to the mesh through the SDK — `connect({ server, dir })`, then
 * `mesh.agents.publish({ fields, modules })`, which signs the manifest
 * (docs/agent-manifest.md §5), keeps it in that directory's store, announces it
 * on the manifest topic and serves its modules by hash while the peer is online
 * (src/discovery/agent-registry/: peers that join later get it re-published).
 *
 * Before that: the build must be current and its module bytes exactly those
 * its manifest names (a mismatch is refused, as every peer would refuse it),
 * and every example of agent.json must pass in the local sandbox — a
 * published version is immutable (§6), so a broken one cannot be replaced.
 */
import { canonicalize, nameError, sleep } from '../core/index.ts'
import { agentManifestHash, checkModuleBytes, verifyAgentManifest, type AgentManifest } from '../discovery/agent-manifest/index.ts'
import type { Mesh } from '../peer/connect.node.ts'
import { readBuiltAgent, type AgentPublishFields } from './agent-project.ts'
import { testAgent } from './agent-test.ts'
import { EXIT_FAILED, EXIT_OK } from './cli-output.ts'
import { withMesh, writeOut, type MeshCliIo, type MeshOptions } from './mesh-session.ts'

/** Thrown when the registry returned a manifest other than the one asked for. */
export class AgentPublishError extends Error {
  static { nameError(this, 'AgentPublishError') }
}

export interface PublishOptions {
  /** The agent's folder. */
  dir: string
  /** The Node peer's directory: its identity.key signs the manifest (undefined: ZEROSTATE_HOME or ~/.zerostate). */
  home?: string
  server?: string
  relayAddr: string[]
  timeout?: string
  json: boolean
  /** Other (non-relay) peers to wait for before publishing, 0 not to wait. */
  waitPeers: number
  /** How long to wait for them; then it publishes on this peer only and says so. */
  waitPeersMs: number
  /** Publish even when an example fails. */
  skipTests: boolean
  /** Stay online after publishing (serving the manifest and modules) until Ctrl-C. */
  stay: boolean
}

/** What publish prints with --json. */
export interface PublishReport {
  name: string
  version: string
  author: string
  manifestHash: string
  modules: Array<{ name: string, sha256: string, size: number }>
  /** Other peers connected when it was published: 0 means this peer alone holds it. */
  peers: number
}

/** Other peers (not relays) this one is connected to. */
function otherPeers (mesh: Mesh): number {
  return mesh.peers().filter(peer => !peer.isRelay).length
}

const PEER_POLL_MS = 200

/** This peer's own manifest of `fields`' name and version, when its content is exactly `fields` (the same build). */
function heldVersion (mesh: Mesh, fields: AgentPublishFields): AgentManifest | undefined {
  const held = mesh.agents.list()
    .find(entry => entry.author === mesh.peerId && entry.name === fields.name)
    ?.versions.find(version => version.version === fields.version)
  if (held === undefined) return undefined
  const { author, publicKey, publishedAt, signature, ...content } = held
  return canonicalize(content) === canonicalize(fields) ? held : undefined
}

export async function publishAgent (options: PublishOptions, io: MeshCliIo): Promise<number> {
  const note = (line: string): void => { io.stderr.write(`${line}\n`) }
  const built = await readBuiltAgent(options.dir)
  const label = `${built.fields.name}@${built.fields.version}`
  if (!options.skipTests) {
    const report = await testAgent(options.dir)
    if (report.failed > 0) {
      const failures = report.examples.filter(example => !example.pass).map(example => `  ${example.name}: ${example.message ?? ''}`)
      note(`zerostate agent publish: ${report.failed} of ${report.examples.length} examples of ${label} fail; not published (run \`zerostate agent test\`, or --skip-tests):\n${failures.join('\n')}`)
      return EXIT_FAILED
    }
    if (!options.json) note(`${label}: ${report.passed} example${report.passed === 1 ? '' : 's'} pass`)
  }
  const meshOptions: MeshOptions = {
    relayAddr: options.relayAddr,
    json: options.json,
    waitExecutors: '0',
    ...(options.server === undefined ? {} : { server: options.server }),
    ...(options.home === undefined ? {} : { dir: options.home }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout })
  }
  return withMesh(meshOptions, io, async ({ mesh, signal }) => {
    if (options.waitPeers > 0) {
      if (!options.json) note(`peer ${mesh.peerId}: waiting for ${options.waitPeers} other peer${options.waitPeers === 1 ? '' : 's'} (${Math.round(options.waitPeersMs / 1000)} s at most)…`)
      const deadline = io.now() + options.waitPeersMs
      while (otherPeers(mesh) < options.waitPeers && io.now() < deadline) await sleep(PEER_POLL_MS, signal)
    }
    // The same build published before from this --home: announced again as it is (a re-signed copy would be another
    // manifest of the same version, which every registry refuses); that is how `publish --stay` serves it again later.
    const held = heldVersion(mesh, built.fields)
    if (held !== undefined && !options.json) note(`${label} was published from this --home on ${new Date(held.publishedAt).toISOString()}: announcing it again`)
    const manifest = held === undefined
      ? await mesh.agents.publish({ fields: built.fields, modules: built.modules })
      : await mesh.agents.publishManifest(held, built.modules)
    // What every peer will check, checked here first: the signature, the key, the module bytes.
    const verified = verifyAgentManifest(manifest, { now: io.now() })
    if (verified.author !== mesh.peerId || verified.name !== built.fields.name || verified.version !== built.fields.version) {
      throw new AgentPublishError(`the registry returned ${verified.name}@${verified.version} by ${verified.author}, not ${label} by ${mesh.peerId}`)
    }
    for (const [name, bytes] of Object.entries(built.modules)) checkModuleBytes(verified, name, bytes)
    const report: PublishReport = {
      name: verified.name,
      version: verified.version,
      author: verified.author,
      manifestHash: agentManifestHash(verified),
      modules: verified.modules.map(({ name, sha256, size }) => ({ name, sha256, size })),
      peers: otherPeers(mesh)
    }
    if (options.json) {
      await writeOut(io.stdout, `${JSON.stringify(report)}\n`)
    } else {
      await writeOut(io.stdout, [
        `published ${report.name}@${report.version}`,
        `  author    ${report.author}`,
        `  manifest  sha256 ${report.manifestHash}`,
        ...report.modules.map(module => `  module    ${module.name}: ${module.size} bytes, sha256 ${module.sha256}`),
        ''
      ].join('\n'))
      note(report.peers === 0
        ? 'no other peer was connected: only this peer holds it (in --home); it reaches the mesh when this peer is online with others: --stay, or `zerostate contribute --dir` the same directory'
        : `sent to the mesh (${report.peers} peer${report.peers === 1 ? '' : 's'} connected); in a workflow: agent: ${report.name}@${report.version}`)
    }
    if (options.stay) {
      if (!options.json) note('staying online to serve it; Ctrl-C to leave')
      await new Promise<void>(resolve => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })
    }
    return EXIT_OK
  })
}
