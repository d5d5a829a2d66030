/**
 * The build step that signs the built-in agents (docs/agent-manifest.md §12):
 * one manifest per real workload among the compiled samples, signed with the
 * build key, written to `<samples>/agents.json` for the pages to publish.
 *
 * The build key is made on the first run and kept in `<state>/agents.key`
 * (mode 0600), outside `dist/` and `public/samples/`, which builds empty: a
 * rebuild must not make the built-ins a different author's, hence different
 * agents. The last index is kept beside it; a workload whose module did not
 * change keeps its signed manifest as it was (versions are immutable), and
 * one whose module changed gets the next patch version.
 *
 *   node src/build/sign-built-in-agents.ts   (after npm run build:samples; part of npm run build)
 */
import { createHash, randomBytes } from 'node:crypto'
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { bytesToBase64Url } from '../core/index.ts'
import { createIdentity } from '../crypto/index.ts'
import type { PeerIdentity } from '../crypto/index.ts'
import type { SampleTask } from '../execution/sample-index.ts'
import { entryModule, parseSemVer, signAgentManifest } from '../discovery/agent-manifest/index.ts'
import type { AgentManifest } from '../discovery/agent-manifest/index.ts'
import { builtInAgentFields, parseBuiltInAgentIndex } from '../discovery/agent-registry/built-ins.ts'
import type { BuiltInAgent, BuiltInAgentIndex } from '../discovery/agent-registry/built-ins.ts'

const ROOT = resolve(import.meta.dirname, '../..')
/** The key's seed file, and the last index signed with it. */
export const BUILD_KEY_FILE = 'agents.key'
export const LAST_INDEX_FILE = 'agents.json'
/** The index the pages read, in the samples directory. */
export const INDEX_FILE = 'agents.json'
const FIRST_VERSION = '1.0.0'
const LICENCE = 'MIT'

export interface SignBuiltInsOptions {
  /** The compiled samples: samples.json and the modules (default public/samples). */
  samplesDir?: string
  /** Where the build key and the last index are kept (default .zerostate/build, which git ignores). */
  stateDir?: string
  /** Which samples are agents: default the real workloads, the directories of src/workloads with a sample.json. */
  ids?: ReadonlySet<string>
  /** Unix epoch ms of the signatures made now; default Date.now(). */
  now?: number
}

export async function signBuiltInAgents (options: SignBuiltInsOptions = {}): Promise<BuiltInAgentIndex> {
  const samplesDir = options.samplesDir ?? join(ROOT, 'public/samples')
  const stateDir = options.stateDir ?? join(ROOT, '.zerostate/build')
  const ids = options.ids ?? await workloadIds()
  const now = options.now ?? Date.now()
  const identity = await buildKey(stateDir)
  const author = identity.peerId.toString()
  const previous = await lastIndex(stateDir, author)
  const samples = JSON.parse(await readFile(join(samplesDir, 'samples.json'), 'utf8')) as SampleTask[]

  const agents: BuiltInAgent[] = []
  for (const sample of samples.filter(candidate => ids.has(candidate.id))) {
    const bytes = await readFile(join(samplesDir, basename(sample.url)))
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    if (sha256 !== sample.sha256) throw new Error(`${sample.url} does not hash to the sha256 samples.json gives it`)
    const before = previous.get(sample.id)
    if (before !== undefined && entryModule(before).sha256 === sha256) {
      agents.push({ manifest: before, url: sample.url })
      continue
    }
    const fields = builtInAgentFields(sample, { size: bytes.length }, {
      author,
      publicKey: bytesToBase64Url(identity.publicKey),
      licence: LICENCE,
      version: before === undefined ? FIRST_VERSION : nextPatch(before.version),
      publishedAt: now
    })
    if (fields === undefined) continue
    agents.push({ manifest: await signAgentManifest(fields, identity), url: sample.url })
  }
  const index: BuiltInAgentIndex = { author, agents }
  const text = `${JSON.stringify(index, null, 2)}\n`
  await writeFile(join(samplesDir, INDEX_FILE), text)
  await writeFile(join(stateDir, LAST_INDEX_FILE), text)
  return index
}

/** The build key: made once (a random seed, owner-only), then read back. */
async function buildKey (stateDir: string): Promise<PeerIdentity> {
  const file = join(stateDir, BUILD_KEY_FILE)
  if (existsSync(file)) {
    const seed = new Uint8Array(await readFile(file))
    if (seed.length !== 32) throw new Error(`${file} is not a 32-byte Ed25519 seed`)
    return createIdentity(seed)
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  const seed = new Uint8Array(randomBytes(32))
  await writeFile(file, seed, { mode: 0o600 })
  await chmod(file, 0o600)
  return createIdentity(seed)
}

/** The manifests of the last index signed with this key, by name (none when there is none, or another key signed it). */
async function lastIndex (stateDir: string, author: string): Promise<Map<string, AgentManifest>> {
  const file = join(stateDir, LAST_INDEX_FILE)
  if (!existsSync(file)) return new Map()
  const index = parseBuiltInAgentIndex(JSON.parse(await readFile(file, 'utf8')))
  if (index.author !== author) return new Map()
  return new Map(index.agents.map(agent => [agent.manifest.name, agent.manifest]))
}

function nextPatch (version: string): string {
  const { major, minor, patch } = parseSemVer(version)
  return `${major}.${minor}.${patch + 1}`
}

/** The real workloads: src/workloads/<id>/ with a sample.json. */
async function workloadIds (): Promise<Set<string>> {
  const dir = join(ROOT, 'src/workloads')
  const entries = await readdir(dir, { withFileTypes: true })
  return new Set(entries.filter(entry => entry.isDirectory() && existsSync(join(dir, entry.name, 'sample.json'))).map(entry => entry.name))
}

if (import.meta.main) {
  const index = await signBuiltInAgents()
  console.log(`signed ${index.agents.length} built-in agents as ${index.author}`)
}
