/**
 * `zerostate run <module.wasm> [args...]`: runs one WASI preview1 command in
 * the same sandbox the browser executor uses (src/execution/worker/wasi-worker.ts, here
 * on a Node worker thread), with the same checks, memory cap, fuel meter and
 * deterministic clock and random source.
 *
 * Exit status: the task's own exit code when it ends by itself (1–255;
 * codes outside that range become 1), otherwise one per status — see
 * `STATUS_EXIT_CODES` — and 2 for bad arguments.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { parseArgs } from 'node:util'
import {
  DEFAULT_FUEL, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, MAX_FUEL, MAX_MEMORY_LIMIT_BYTES, TASK_SEED_BYTES
} from '../execution/constants.ts'
import { createNodeWorkerPool } from '../execution/node-host.node.ts'
import type { ExecutionResult, TaskInput, TaskLimits, TaskStatus } from '../execution/types.ts'
import { nameError } from '../core/errors.ts'

export const RUN_USAGE = `  zerostate run <module.wasm> [args...] [--stdin FILE|-] [--dir DIR] [--env K=V ...] [--seed HEX]
                [--timeout MS] [--memory MB] [--fuel N] [--verbose]
      Run a WASI command in the sandbox. --dir DIR becomes /work (an empty one if DIR does not
      exist yet); created and changed files are written back. Exit: the task's code, or 124 timeout, 125 invalid module, 126 trap,
      127 out of fuel, 128 memory limit; 2 for bad arguments. Put task args after "--" when
      they start with "-".`

/** Process exit code for each status a task can end with other than by itself. */
export const STATUS_EXIT_CODES: Readonly<Record<Exclude<TaskStatus, 'ok' | 'exit'>, number>> = {
  timeout: 124,
  'invalid-module': 125,
  trap: 126,
  'out-of-fuel': 127,
  'memory-limit': 128
}

/** Exit code for arguments the command cannot use. */
export const BAD_ARGUMENTS_EXIT_CODE = 2

/** Thrown when the command line cannot be used; the message says why. */
export class BadArgumentsError extends Error {
  static { nameError(this, 'BadArgumentsError') }
  constructor (message = 'Bad arguments') {
    super(message)
  }
}

interface RunOptions {
  modulePath: string
  args: string[]
  stdinPath?: string
  dir?: string
  env: Array<[string, string]>
  seed: Uint8Array
  limits: TaskLimits
  verbose: boolean
}

/** Runs the command for `argv` (the words after "run"); resolves with the process exit code. */
export async function runTaskCommand (argv: string[]): Promise<number> {
  let options: RunOptions
  try {
    options = parseRunArgs(argv)
  } catch (err) {
    process.stderr.write(`zerostate run: ${err instanceof Error ? err.message : String(err)}\n\nUsage:\n${RUN_USAGE}\n`)
    return BAD_ARGUMENTS_EXIT_CODE
  }
  let bytes: Uint8Array
  let input: TaskInput
  try {
    bytes = new Uint8Array(await readFile(options.modulePath))
    input = {
      args: options.args,
      env: options.env,
      stdin: await readStdin(options.stdinPath),
      files: options.dir === undefined ? [] : await readDirectory(options.dir),
      seed: options.seed
    }
  } catch (err) {
    process.stderr.write(`zerostate run: ${err instanceof Error ? err.message : String(err)}\n`)
    return BAD_ARGUMENTS_EXIT_CODE
  }

  const pool = createNodeWorkerPool({ slots: 1 })
  let result: ExecutionResult
  const started = performance.now()
  try {
    result = await pool.run(createHash('sha256').update(bytes).digest('hex'), bytes, input, options.limits)
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err))
    if (error.name === RangeError.name || error.name === TypeError.name) {
      process.stderr.write(`zerostate run: ${error.message}\n`)
      return BAD_ARGUMENTS_EXIT_CODE
    }
    result = refused(error, performance.now() - started)
  } finally {
    pool.stop()
  }

  await write(process.stdout, result.stdout)
  await write(process.stderr, result.stderr)
  if (options.dir !== undefined) await writeDirectory(options.dir, result.files)
  if (options.verbose) {
    process.stderr.write(`zerostate run: status ${result.status}, exit code ${result.exitCode}, fuel used ${result.fuelUsed ?? 'unknown'}, ` +
      `memory peak ${result.memoryPeakBytes} bytes, ${result.durationMs.toFixed(1)} ms, ${result.files.length} file(s) changed\n`)
  }
  if (result.status === 'ok') return 0
  if (result.status === 'exit') return result.exitCode >= 1 && result.exitCode <= 255 ? result.exitCode : 1
  process.stderr.write(`zerostate run: task ended with status ${result.status}: ${result.error?.name ?? 'Error'}: ${result.error?.message ?? ''}\n`)
  return STATUS_EXIT_CODES[result.status]
}

export function parseRunArgs (argv: string[]): RunOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stdin: { type: 'string' },
      dir: { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      seed: { type: 'string' },
      timeout: { type: 'string' },
      memory: { type: 'string' },
      fuel: { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false }
    }
  })
  const [modulePath, ...args] = positionals
  if (modulePath === undefined) throw new BadArgumentsError('missing <module.wasm>')
  const env = values.env.map((entry): [string, string] => {
    const at = entry.indexOf('=')
    if (at <= 0) throw new BadArgumentsError(`--env must be NAME=VALUE, got "${entry}"`)
    return [entry.slice(0, at), entry.slice(at + 1)]
  })
  const seedHex = values.seed ?? '00'.repeat(TASK_SEED_BYTES)
  if (!new RegExp(`^[0-9a-fA-F]{${2 * TASK_SEED_BYTES}}$`).test(seedHex)) {
    throw new BadArgumentsError(`--seed must be ${TASK_SEED_BYTES} bytes as ${2 * TASK_SEED_BYTES} hex digits`)
  }
  const memoryMb = integer('memory', values.memory, DEFAULT_MEMORY_LIMIT_BYTES / 2 ** 20, 1, MAX_MEMORY_LIMIT_BYTES / 2 ** 20)
  const options: RunOptions = {
    modulePath,
    args,
    env,
    seed: Uint8Array.from(Buffer.from(seedHex, 'hex')),
    limits: {
      timeoutMs: integer('timeout', values.timeout, DEFAULT_TIMEOUT_MS, 1, 2 ** 31 - 1),
      memoryLimitBytes: memoryMb * 2 ** 20,
      fuel: integer('fuel', values.fuel, DEFAULT_FUEL, 0, MAX_FUEL)
    },
    verbose: values.verbose
  }
  if (values.stdin !== undefined) options.stdinPath = values.stdin
  if (values.dir !== undefined) options.dir = values.dir
  return options
}

function integer (name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new BadArgumentsError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`)
  }
  return n
}

async function readStdin (path: string | undefined): Promise<Uint8Array> {
  if (path === undefined) return new Uint8Array(0)
  if (path !== '-') return new Uint8Array(await readFile(path))
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return new Uint8Array(Buffer.concat(chunks))
}

/** Every regular file under `dir`, as '/'-separated relative paths, sorted. */
/** The files under `dir`, as /work's; a folder that does not exist yet is an empty /work (it is created if the task writes files). */
async function readDirectory (dir: string): Promise<Array<[string, Uint8Array]>> {
  const root = resolve(dir)
  if (!existsSync(root)) return []
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  const files: Array<[string, Uint8Array]> = []
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files.push([relative(root, path).split(sep).join('/'), new Uint8Array(await readFile(path))])
  }
  return files.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
}

/** Writes the task's changed files under `dir`; the sandbox already refused paths that leave /work, this refuses them again. */
async function writeDirectory (dir: string, files: Array<[string, Uint8Array]>): Promise<void> {
  const root = resolve(dir)
  for (const [path, bytes] of files) {
    const target = resolve(root, path)
    if (!target.startsWith(root + sep)) throw new Error(`refusing to write outside ${root}: ${path}`)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, bytes)
  }
}

/** What the host reports for a module refused before it ran. */
function refused (error: Error, durationMs: number): ExecutionResult {
  return {
    status: 'invalid-module',
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
    exitCode: -1,
    startedAt: Date.now(),
    durationMs,
    fuelUsed: null,
    memoryPeakBytes: 0,
    files: [],
    error: { name: error.name, message: error.message }
  }
}

async function write (stream: NodeJS.WritableStream, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength === 0) return
  await new Promise<void>((resolve, reject) => { stream.write(bytes, err => { err == null ? resolve() : reject(err) }) })
}
