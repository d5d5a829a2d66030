/**
 * An agent's folder as `zerostate agent` sees it (issue 14, "Agent developer
 * kit"): `agent.json` — the manifest fields the developer writes
 * (docs/agent-manifest.md §2) without those `agent build` and `agent publish`
 * fill in (modules, author, publicKey, publishedAt, signature) — `build.json`,
 * how its source becomes one WASI command, and `build/`, what `agent build`
 * wrote: `<name>.wasm` and `manifest.unsigned.json` (agent.json's fields at
 * build time plus the module list by SHA-256). `agent test` and `agent publish`
 * take agent.json as it is when they run — its examples may change without a
 * rebuild — with the build's module list, checked against the module's bytes.
 */
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { nameError, sha256Hex } from '../core/index.ts'
import {
  AGENT_MANIFEST_KIND, ManifestModuleMismatchError, isAgentName, parseAgentManifest
} from '../discovery/agent-manifest/index.ts'
import type { AgentManifestFields, ManifestModule, UnsignedAgentManifest } from '../discovery/agent-manifest/index.ts'

/** Thrown for an agent folder `zerostate agent` cannot use: no agent.json, a field the manifest format refuses, a stale build. */
export class AgentProjectError extends Error {
  static { nameError(this, 'AgentProjectError') }
}

export const AGENT_FILE = 'agent.json'
export const BUILD_FILE = 'build.json'
export const BUILD_DIR = 'build'
export const BUILD_MANIFEST_FILE = 'manifest.unsigned.json'

/** The languages `agent init` scaffolds and `agent build` compiles. */
export const AGENT_LANGUAGES = ['assemblyscript', 'c'] as const
export type AgentLanguage = typeof AGENT_LANGUAGES[number]

/**
 * What the developer writes in agent.json: the manifest's fields without
 * those the tools fill in. `homepage`, `defaults`, `priceHints`, `examples`
 * may be left out (null, {}, null, [] as `signAgentManifest` has it).
 */
export type AgentJson = Omit<AgentManifestFields, 'kind' | 'author' | 'publicKey' | 'modules' | 'publishedAt'>

/** What publish hands the SDK (`mesh.agents.publish({ fields, modules })`): every signed field but author, publicKey and publishedAt. */
export type AgentPublishFields = Omit<UnsignedAgentManifest, 'author' | 'publicKey' | 'publishedAt'>

/** build.json: how the source becomes the agent's entry module. */
export type AgentBuildConfig =
  | { language: 'c', sources: string[], cflags: string[] }
  | { language: 'assemblyscript', entry: string, ascFlags: string[] }

/** The members of agent.json the tools fill in, and which one does. */
const FILLED_IN: Readonly<Record<string, string>> = {
  kind: 'the tools',
  author: '`agent publish` (the PeerId of the key in --home)',
  publicKey: '`agent publish` (the key in --home)',
  modules: '`agent build` (build/manifest.unsigned.json)',
  publishedAt: '`agent publish`',
  signature: '`agent publish`'
}

/**
 * Stand-ins for the members agent.json leaves out, so that the format's own
 * schema (parseAgentManifest) checks the rest and names the bad field. They
 * are those of the format's example (docs/agent-manifest.md §11); nothing is
 * signed or verified with them.
 */
const STAND_IN = {
  author: '12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf',
  publicKey: 'ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ',
  publishedAt: 0,
  signature: 'A'.repeat(86)
}

export function moduleFileName (name: string): string {
  return `${name}.wasm`
}

export function modulePath (dir: string, name: string): string {
  return join(dir, BUILD_DIR, moduleFileName(name))
}

/**
 * Checks agent.json's parsed value against the manifest format, with
 * `modules` (the build's, or a stand-in before the first build), and returns
 * the fields publish signs. Errors name the file and the field.
 */
export function checkAgentJson (value: unknown, modules?: ManifestModule[]): AgentPublishFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AgentProjectError(`${AGENT_FILE} must hold a JSON object`)
  const record = value as Record<string, unknown>
  for (const [member, by] of Object.entries(FILLED_IN)) {
    if (member in record) throw new AgentProjectError(`${AGENT_FILE}: "${member}" is filled in by ${by}; remove it`)
  }
  if (!isAgentName(record.name)) {
    throw new AgentProjectError(`${AGENT_FILE}: "name" must be 1 to 64 characters of [a-z0-9-], starting with [a-z0-9]; got ${JSON.stringify(record.name)}`)
  }
  const listed = modules ?? [{ name: moduleFileName(record.name), sha256: '0'.repeat(64), size: 1, entry: true }]
  let manifest
  try {
    manifest = parseAgentManifest({
      kind: AGENT_MANIFEST_KIND,
      homepage: null,
      defaults: {},
      priceHints: null,
      examples: [],
      ...record,
      ...STAND_IN,
      modules: listed
    })
  } catch (err) {
    const field = (err as { field?: unknown }).field
    throw new AgentProjectError(`${AGENT_FILE}: ${typeof field === 'string' ? `${field}: ` : ''}${(err as Error).message}`)
  }
  const { author, publicKey, publishedAt, signature, ...fields } = manifest
  return fields
}

/** Reads and checks `dir`/agent.json (with the stand-in module list). */
export async function readAgentJson (dir: string): Promise<AgentPublishFields> {
  return checkAgentJson(await readJson(dir, AGENT_FILE, `no ${AGENT_FILE} in ${dir}: run \`zerostate agent init NAME\` first, or give --dir`))
}

/** Reads and checks `dir`/build.json. */
export async function readBuildConfig (dir: string): Promise<AgentBuildConfig> {
  const value = await readJson(dir, BUILD_FILE, `no ${BUILD_FILE} in ${dir}: it says how to build the agent (see \`zerostate agent init\`)`)
  const fail = (message: string): never => { throw new AgentProjectError(`${BUILD_FILE}: ${message}`) }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('must hold a JSON object')
  const record = value as Record<string, unknown>
  const strings = (field: string, required: boolean): string[] => {
    const list = record[field] ?? (required ? undefined : [])
    if (!Array.isArray(list) || !list.every(item => typeof item === 'string' && item !== '')) fail(`"${field}" must be an array of strings`)
    return list as string[]
  }
  const allowed = (members: string[]): void => {
    const extra = Object.keys(record).find(key => !members.includes(key))
    if (extra !== undefined) fail(`unknown member "${extra}" (a ${String(record.language)} build has ${members.join(', ')})`)
  }
  if (record.language === 'c') {
    allowed(['language', 'sources', 'cflags'])
    const sources = strings('sources', true)
    if (sources.length === 0) fail('"sources" names no C file')
    return { language: 'c', sources, cflags: strings('cflags', false) }
  }
  if (record.language === 'assemblyscript') {
    allowed(['language', 'entry', 'ascFlags'])
    if (typeof record.entry !== 'string' || record.entry === '') fail('"entry" must name the AssemblyScript file to compile')
    return { language: 'assemblyscript', entry: record.entry as string, ascFlags: strings('ascFlags', false) }
  }
  return fail(`"language" must be one of ${AGENT_LANGUAGES.join(', ')}; got ${JSON.stringify(record.language)}`)
}

/** The source files of a build, relative to the agent's folder. */
export function buildSources (config: AgentBuildConfig): string[] {
  return config.language === 'c' ? config.sources : [config.entry]
}

/** What `agent build` last wrote, checked: the fields (agent.json's as they are now, with the build's modules) and each module's bytes. */
export interface BuiltAgent {
  fields: AgentPublishFields
  modules: Record<string, Uint8Array>
  entry: ManifestModule
}

/**
 * Reads agent.json and build/: refuses a build that is missing, older than a
 * source, or whose module bytes are not those manifest.unsigned.json names
 * (ManifestModuleMismatchError, as a peer refuses them: size, then SHA-256).
 */
export async function readBuiltAgent (dir: string): Promise<BuiltAgent> {
  const current = await readAgentJson(dir)
  const manifestPath = join(dir, BUILD_DIR, BUILD_MANIFEST_FILE)
  if (!existsSync(manifestPath)) throw new AgentProjectError(`no build of ${current.name} in ${join(dir, BUILD_DIR)}: run \`zerostate agent build\` first`)
  const built = JSON.parse(await readFile(manifestPath, 'utf8')) as { modules?: unknown, name?: unknown }
  if (built.name !== current.name) {
    throw new AgentProjectError(`${relative(dir, manifestPath)} is a build of ${JSON.stringify(built.name)}, agent.json names ${JSON.stringify(current.name)}: run \`zerostate agent build\` again`)
  }
  // agent.json as it is now (examples may change without a rebuild), with the module list of the build.
  const { kind, modules: standIn, ...json } = current
  const fields = checkAgentJson(json, built.modules as ManifestModule[])
  const wasmTime = (await stat(modulePath(dir, fields.name)).catch(() => undefined))?.mtimeMs
  if (wasmTime === undefined) throw new AgentProjectError(`${join(BUILD_DIR, moduleFileName(fields.name))} is missing: run \`zerostate agent build\``)
  for (const source of buildSources(await readBuildConfig(dir))) {
    const sourceTime = (await stat(join(dir, source)).catch(() => undefined))?.mtimeMs
    if (sourceTime !== undefined && sourceTime > wasmTime) {
      throw new AgentProjectError(`${source} changed after the last build: run \`zerostate agent build\` again`)
    }
  }
  const modules: Record<string, Uint8Array> = {}
  for (const module of fields.modules) {
    const path = join(dir, BUILD_DIR, module.name)
    const bytes = new Uint8Array(await readFile(path))
    checkBuiltModule(module, bytes, relative(dir, path))
    modules[module.name] = bytes
  }
  return { fields, modules, entry: fields.modules.find(module => module.entry === true)! }
}

/**
 * Refuses bytes that are not the module the build's manifest names: the
 * size, then the SHA-256 (docs/agent-manifest.md §7), with what to do about it.
 */
export function checkBuiltModule (module: ManifestModule, bytes: Uint8Array, where: string): void {
  const hint = 'the module no longer matches the build\'s manifest: run `zerostate agent build` again'
  if (bytes.byteLength !== module.size) {
    throw new ManifestModuleMismatchError(module.name, `${where} is ${bytes.byteLength} bytes, ${BUILD_DIR}/${BUILD_MANIFEST_FILE} says ${module.size}: ${hint}`)
  }
  const actual = sha256Hex(bytes)
  if (actual !== module.sha256) {
    throw new ManifestModuleMismatchError(module.name, `${where} has SHA-256 ${actual}, ${BUILD_DIR}/${BUILD_MANIFEST_FILE} says ${module.sha256}: ${hint}`)
  }
}

async function readJson (dir: string, file: string, missing: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(join(dir, file), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AgentProjectError(missing)
    throw err
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new AgentProjectError(`${file} is not JSON: ${(err as Error).message}`)
  }
}
