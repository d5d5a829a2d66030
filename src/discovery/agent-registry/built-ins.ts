/**
 * The project's own agents (docs/agent-manifest.md §12, "Built-in agents"):
 * the real workloads the app server offers as samples, each as an agent
 * package signed by the build key (src/build/sign-built-in-agents.ts signs them at build
 * time into `samples/agents.json`), and what a page does with that index:
 * hold each manifest, its module fetched from the server when first used,
 * so that every peer resolves them like any other agent — without gossiping
 * them, since every peer has them from its own server.
 */
import { utf8ToBytes } from '../../core/index.ts'
import type { SampleTask } from '../../execution/sample-index.ts'
import {
  MAX_EXAMPLE_IO_BYTES, isAgentName, parseAgentManifest
} from '../agent-manifest/index.ts'
import type { AgentManifest, AgentManifestFields } from '../agent-manifest/index.ts'

/** Where the page finds the signed built-ins, relative to the app (beside samples.json, which the build writes too). */
export const BUILT_IN_AGENTS_URL = 'samples/agents.json'

/** Bounds of a manifest's text fields (docs/agent-manifest.md §2–§3). */
const MAX_DESCRIPTION_BYTES = 1024
const MAX_SKILL_DESCRIPTION_BYTES = 512
const MAX_SKILL_NAME_BYTES = 64
const MIN_TIMEOUT_MS = 10
const MAX_TIMEOUT_MS = 300_000

/** One built-in agent: its signed manifest, and where the entry module is served (a sample URL). */
export interface BuiltInAgent {
  manifest: AgentManifest
  url: string
}

/** `samples/agents.json`. */
export interface BuiltInAgentIndex {
  /** The build key's PeerId: the author of every manifest below. */
  author: string
  agents: BuiltInAgent[]
}

/**
 * The manifest fields of a sample as an agent of `author`: named by the
 * sample's id, one skill (tagged with its category), one module — the
 * sample's — its default args and timeout, and its default input as the
 * package's test when it is text that fits. Undefined for a sample whose id
 * is not an agent name.
 */
export function builtInAgentFields (sample: SampleTask, module: { size: number }, signer: { author: string, publicKey: string, licence: string, version: string, publishedAt: number }): AgentManifestFields | undefined {
  if (!isAgentName(sample.id)) return undefined
  const args = sample.defaultArgs
  const stdin = sample.defaultStdin
  return {
    name: sample.id,
    version: signer.version,
    description: clip(`${sample.title}: ${sample.description}`, MAX_DESCRIPTION_BYTES),
    author: signer.author,
    publicKey: signer.publicKey,
    licence: signer.licence,
    homepage: null,
    skills: [{
      id: sample.id,
      name: clip(sample.title, MAX_SKILL_NAME_BYTES),
      description: clip(sample.description, MAX_SKILL_DESCRIPTION_BYTES),
      tags: [sample.category],
      ...(sample.stdinKind === 'text' ? { inputModes: ['text/plain'] } : {})
    }],
    modules: [{ name: `${sample.id}.wasm`, sha256: sample.sha256, size: module.size, entry: true }],
    defaults: {
      ...(args.length > 0 ? { args } : {}),
      timeoutMs: Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, Math.round(sample.defaultTimeoutMs)))
    },
    priceHints: null,
    examples: sample.stdinKind === 'text' && sample.defaultStdinUrl === undefined && sample.defaultFiles === undefined &&
      utf8ToBytes(stdin).length <= MAX_EXAMPLE_IO_BYTES
      ? [{ name: 'default input', ...(args.length > 0 ? { args } : {}), stdin: { text: stdin } }]
      : [],
    publishedAt: signer.publishedAt
  }
}

/** Reads `samples/agents.json`: its shape, and each manifest's schema (publishing verifies the signatures). */
export function parseBuiltInAgentIndex (value: unknown): BuiltInAgentIndex {
  if (typeof value !== 'object' || value === null) throw new TypeError('the built-in agent index must be an object')
  const { author, agents } = value as Record<string, unknown>
  if (typeof author !== 'string' || !Array.isArray(agents)) throw new TypeError('the built-in agent index must have an author and a list of agents')
  return {
    author,
    agents: agents.map((entry: unknown) => {
      const { manifest, url } = (entry ?? {}) as Record<string, unknown>
      if (typeof url !== 'string') throw new TypeError('a built-in agent must name its module URL')
      return { manifest: parseAgentManifest(manifest), url }
    })
  }
}

/** What publishing built-ins needs of the registry. */
/** What holds the built-ins: the registry service (holdServed). */
export interface BuiltInHolder {
  holdServed(manifest: AgentManifest, moduleUrl: string): AgentManifest
}

/**
 * Holds every built-in of `index`, its module to be fetched from the app
 * server at `base` when first resolved (nothing is fetched now, nothing is
 * gossiped: every peer has the same index from its own server). One the
 * registry refuses is reported to `onError` and the others go on. Returns the
 * manifests held.
 */
export function holdBuiltInAgents (
  index: BuiltInAgentIndex, registry: BuiltInHolder, base: string, onError: (agent: BuiltInAgent, err: unknown) => void = () => {}
): AgentManifest[] {
  const held: AgentManifest[] = []
  for (const agent of index.agents) {
    try {
      held.push(registry.holdServed(agent.manifest, new URL(agent.url, base).href))
    } catch (err) {
      onError(agent, err)
    }
  }
  return held
}

/**
 * Holds the built-ins the app server at `base` signed (BUILT_IN_AGENTS_URL
 * there), their modules served beside them; nothing when it has none (404).
 */
export async function holdServedBuiltInAgents (
  base: string, registry: BuiltInHolder, onError?: (agent: BuiltInAgent, err: unknown) => void
): Promise<AgentManifest[]> {
  const response = await fetch(new URL(BUILT_IN_AGENTS_URL, base))
  if (response.status === 404) return []
  if (!response.ok) throw new Error(`${BUILT_IN_AGENTS_URL}: HTTP ${response.status}`)
  return holdBuiltInAgents(parseBuiltInAgentIndex(await response.json()), registry, base, onError)
}

/** `text` cut to at most `maxBytes` of UTF-8, on a character boundary, with an ellipsis when cut. */
function clip (text: string, maxBytes: number): string {
  if (utf8ToBytes(text).length <= maxBytes) return text
  let out = ''
  for (const char of text) {
    if (utf8ToBytes(`${out}${char}…`).length > maxBytes) break
    out += char
  }
  return `${out}…`
}
