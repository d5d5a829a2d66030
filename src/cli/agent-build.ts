/**
 * `zerostate agent build [--dir]`: compiles an agent's source to
 * build/<name>.wasm — C with Debian's clang-14 and wasi-libc, with the flags
 * the real workloads are built with (src/build/build-workloads.ts);
 * AssemblyScript with asc and @assemblyscript/wasi-shim, as the samples are
 * (src/build/compile-samples.ts) — checks it is a WASI preview1 command the
 * sandbox runs (src/execution/module-check.ts, within the agent's memory
 * default), and writes build/manifest.unsigned.json: agent.json's fields plus
 * the module list (name, sha256, size, entry).
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, globSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { promisify } from 'node:util'
import { nameError, sha256Hex } from '../core/index.ts'
import { DEFAULT_MEMORY_LIMIT_BYTES, MAX_MODULE_BYTES } from '../core/limits.ts'
import type { ManifestModule } from '../discovery/agent-manifest/index.ts'
import { compileTaskModule } from '../execution/module-check.ts'
import { CLANG_PATH, COMMON_FLAGS } from '../build/build-workloads.ts'
import {
  BUILD_DIR, BUILD_MANIFEST_FILE, checkAgentJson, moduleFileName, readAgentJson, readBuildConfig,
  type AgentBuildConfig, type AgentPublishFields
} from './agent-project.ts'

const run = promisify(execFile)

/** Thrown when the source does not compile, or compiles to something the sandbox does not run. */
export class AgentBuildError extends Error {
  static { nameError(this, 'AgentBuildError') }
}

/** Thrown when a compiler or library the build needs is not installed; the message names the package. */
export class AgentToolchainError extends Error {
  static { nameError(this, 'AgentToolchainError') }
}

/** The C toolchain, as Debian packages it (test/support/c-toolchain.ts has the same list). */
export interface CToolchain {
  /** The clang to run (found on CLANG_PATH). */
  clang: string
  /** Files whose absence means a package is missing → that package. */
  files: ReadonlyArray<readonly [pattern: string, debianPackage: string]>
}

export const DEBIAN_C_TOOLCHAIN: CToolchain = {
  clang: 'clang-14',
  files: [
    ['/usr/lib/wasm32-wasi/libc.a', 'wasi-libc'],
    ['/usr/lib/llvm-14/bin/wasm-ld', 'lld-14'],
    ['/usr/lib/llvm-14/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a', 'libclang-rt-14-dev-wasm32']
  ]
}

const C_PACKAGES = 'clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32'

export interface BuildAgentOptions {
  /** The C toolchain to use (default Debian's clang-14). */
  toolchain?: CToolchain
  signal?: AbortSignal
}

/** What `agent build` wrote. */
export interface BuildResult {
  fields: AgentPublishFields
  module: ManifestModule
  /** Where the module and the unsigned manifest are. */
  modulePath: string
  manifestPath: string
  durationMs: number
}

/** Builds the agent in `dir`: compile, check, write build/<name>.wasm and build/manifest.unsigned.json. */
export async function buildAgent (dir: string, options: BuildAgentOptions = {}): Promise<BuildResult> {
  const started = performance.now()
  const root = resolve(dir)
  const json = await readAgentJson(root)
  const config = await readBuildConfig(root)
  const name = moduleFileName(json.name)
  await mkdir(join(root, BUILD_DIR), { recursive: true })
  // Compiled beside its final path and renamed into place: a failed build leaves the last good one.
  const temporary = join(BUILD_DIR, `${name}.tmp`)
  try {
    if (config.language === 'c') await compileC(root, config, temporary, options.toolchain ?? DEBIAN_C_TOOLCHAIN, options.signal)
    else await compileAssemblyScript(root, config, temporary, options.signal)
    const bytes = new Uint8Array(await readFile(join(root, temporary)))
    await checkAgentModule(bytes, json.defaults.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES, join(BUILD_DIR, name))
    const module: ManifestModule = { name, sha256: sha256Hex(bytes), size: bytes.byteLength, entry: true }
    const { kind, modules: standIn, ...agentJson } = json
    const fields = checkAgentJson(agentJson, [module])
    const modulePath = join(root, BUILD_DIR, name)
    const manifestPath = join(root, BUILD_DIR, BUILD_MANIFEST_FILE)
    await rename(join(root, temporary), modulePath)
    await writeFile(manifestPath, `${JSON.stringify(fields, null, 2)}\n`)
    return { fields, module, modulePath, manifestPath, durationMs: performance.now() - started }
  } finally {
    await rm(join(root, temporary), { force: true })
  }
}

/**
 * Refuses bytes the sandbox would refuse: over MAX_MODULE_BYTES, not a
 * module, not a WASI preview1 command (`_start`, `memory`, imports from
 * wasi_snapshot_preview1 only), more initial memory than `memoryLimitBytes`,
 * not meterable — the checks every executor makes (compileTaskModule).
 */
export async function checkAgentModule (bytes: Uint8Array, memoryLimitBytes: number, where: string): Promise<void> {
  if (bytes.byteLength > MAX_MODULE_BYTES) throw new AgentBuildError(`${where} is ${bytes.byteLength} bytes; a module may have ${MAX_MODULE_BYTES} at most`)
  try {
    await compileTaskModule(bytes, { memoryLimitBytes })
  } catch (err) {
    const error = err as Error
    throw new AgentBuildError(`${where} is not a WASI preview1 command the sandbox runs: ${error.name}: ${error.message}`)
  }
}

/** clang's arguments for a C agent: the workloads' flags, the agent's own, its sources (relative: no path reaches the module). */
export function agentClangArgs (config: Extract<AgentBuildConfig, { language: 'c' }>, outPath: string): string[] {
  return [...COMMON_FLAGS, ...config.cflags, '-o', outPath, ...config.sources]
}

async function compileC (root: string, config: Extract<AgentBuildConfig, { language: 'c' }>, outPath: string, toolchain: CToolchain, signal?: AbortSignal): Promise<void> {
  for (const source of config.sources) {
    if (!existsSync(join(root, source))) throw new AgentBuildError(`build.json names ${source}, which does not exist`)
  }
  const missing = toolchain.files.filter(([pattern]) => globSync(pattern).length === 0).map(([, debianPackage]) => debianPackage)
  if (missing.length > 0) throw toolchainMissing(missing.join(' '))
  try {
    // CLANG_PATH: the system's directories only, so clang does not run an npm-installed wasm-opt after linking.
    await run(toolchain.clang, agentClangArgs(config, outPath), { cwd: root, env: { ...process.env, PATH: CLANG_PATH }, maxBuffer: 16 << 20, signal })
  } catch (err) {
    const { code, stderr } = err as NodeJS.ErrnoException & { stderr?: string }
    if (code === 'ENOENT') throw toolchainMissing('clang-14')
    throw new AgentBuildError(`${toolchain.clang} failed:\n${stderr ?? String(err)}`)
  }
}

function toolchainMissing (packages: string): AgentToolchainError {
  return new AgentToolchainError(`a C agent needs Debian's ${C_PACKAGES}; missing: ${packages} (sudo apt-get install ${C_PACKAGES})`)
}

/**
 * asc and the WASI shim: the agent folder's own (npm install there) first,
 * else zerostate's. Paths relative to `root`, where asc runs: asc resolves
 * the shim config's `lib` wrongly from an absolute config path.
 */
function assemblyScriptTools (root: string): { asc: string, shimConfig: string } {
  const resolveFrom = (from: string): { asc: string, shimConfig: string } | undefined => {
    const require = createRequire(from)
    try {
      return {
        asc: join(require.resolve('assemblyscript/package.json'), '../bin/asc.js'),
        shimConfig: relative(root, join(require.resolve('@assemblyscript/wasi-shim/package.json'), '../asconfig.json'))
      }
    } catch {
      return undefined
    }
  }
  const tools = resolveFrom(join(root, 'package.json')) ?? resolveFrom(import.meta.url)
  if (tools === undefined) {
    throw new AgentToolchainError('an AssemblyScript agent needs the npm packages assemblyscript and @assemblyscript/wasi-shim: npm install --save-dev assemblyscript @assemblyscript/wasi-shim (in the agent\'s folder)')
  }
  return tools
}

async function compileAssemblyScript (root: string, config: Extract<AgentBuildConfig, { language: 'assemblyscript' }>, outPath: string, signal?: AbortSignal): Promise<void> {
  if (!existsSync(join(root, config.entry))) throw new AgentBuildError(`build.json names ${config.entry}, which does not exist`)
  const { asc, shimConfig } = assemblyScriptTools(root)
  // This Node, so the build does not depend on which `node` is on PATH.
  const child = spawn(process.execPath, [asc, config.entry, '--config', shimConfig, ...config.ascFlags, '--outFile', outPath], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], signal })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  if (code !== 0) throw new AgentBuildError(`asc failed on ${config.entry} (exit ${code}):\n${output}`)
}
