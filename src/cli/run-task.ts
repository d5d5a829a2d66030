/**
 * `zerostate run [options] <module.wasm> [args...]`: runs one WASI preview1
 * command in the same sandbox the browser executor uses
 * (src/execution/worker/wasi-worker.ts, here on a Node worker thread), with
 * the same checks, memory cap, fuel meter and deterministic clock and random
 * source. The options follow wasmtime's (`--dir HOST[::GUEST]`, `--env K=V`,
 * stdin inherited, the module's args after the module); zerostate's own
 * options may also come after the module, as they always could.
 *
 * Exit status: the task's own exit code when it ends by itself (1–255;
 * codes outside that range become 1), otherwise one per status — see
 * `STATUS_EXIT_CODES` — and 2 for bad arguments.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import {
  DEFAULT_FUEL, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, MAX_FUEL, MAX_MEMORY_LIMIT_BYTES, TASK_SEED_BYTES
} from '../execution/constants.ts'
import { createNodeWorkerPool } from '../execution/node-host.node.ts'
import type { ExecutionResult, TaskInput, TaskLimits, TaskMount, TaskStatus } from '../execution/types.ts'
import type { WorkerPool } from '../execution/worker-pool.ts'
import { nameError } from '../core/errors.ts'

export const RUN_USAGE = `  zerostate run [--dir HOST[::GUEST] ...] [--env K=V ...] [--stdin FILE|-] [--seed HEX]
                [--timeout MS] [--memory MB] [--fuel N] [--verbose] <module.wasm> [args...]
      Run a WASI command in the sandbox. stdin is inherited (read to its end before the run)
      unless --stdin names a file. --dir DIR becomes /work (an empty one if DIR does not exist
      yet); --dir HOST::GUEST preopens HOST at guest path GUEST (repeatable). Created and
      changed files are written back to the --dir they are in. Exit: the task's code, or 124
      timeout, 125 invalid module, 126 trap, 127 out of fuel, 128 memory limit; 2 for bad
      arguments. zerostate's options may also follow the module; put task args after "--"
      when they are one of them.`

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

/** One `--dir`: a host directory, and where the task sees it (`/work` unless `::GUEST` says otherwise). */
export interface RunDirectory {
  host: string
  guest: string
}

export interface RunOptions {
  modulePath: string
  args: string[]
  /** A file, or "-" for stdin read explicitly; undefined: stdin inherited (read to its end). */
  stdinPath?: string
  dirs: RunDirectory[]
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
  let result: ExecutionResult
  const pool = createNodeWorkerPool({ slots: 1 })
  try {
    if (options.stdinPath === undefined && process.stdin.isTTY) {
      process.stderr.write('zerostate run: reading stdin until end of input (Ctrl-D); use --stdin FILE to give it otherwise\n')
    }
    result = await runTask(options, pool, () => readStdin(options.stdinPath))
  } catch (err) {
    process.stderr.write(`zerostate run: ${err instanceof Error ? err.message : String(err)}\n`)
    return BAD_ARGUMENTS_EXIT_CODE
  } finally {
    pool.stop()
  }

  await write(process.stdout, result.stdout)
  await write(process.stderr, result.stderr)
  if (options.verbose) {
    process.stderr.write(`zerostate run: status ${result.status}, exit code ${result.exitCode}, fuel used ${result.fuelUsed ?? 'unknown'}, ` +
      `memory peak ${result.memoryPeakBytes} bytes, ${result.durationMs.toFixed(1)} ms, ${result.files.length} file(s) changed\n`)
  }
  if (result.status === 'ok') return 0
  if (result.status === 'exit') return result.exitCode >= 1 && result.exitCode <= 255 ? result.exitCode : 1
  process.stderr.write(`zerostate run: task ended with status ${result.status}: ${result.error?.name ?? 'Error'}: ${result.error?.message ?? ''}\n`)
  return STATUS_EXIT_CODES[result.status]
}

/**
 * Runs the task `options` describe in `pool` — the module and every --dir
 * read from disk, stdin from `stdin()` — and writes the files it created or
 * changed back into the --dir they belong to. Resolves with the result (a
 * module the sandbox refuses is an `invalid-module` result); rejects, with
 * nothing written, when a file cannot be read or the input is not one the
 * sandbox takes (`RangeError`, `TypeError`: too many files, a bad path…).
 */
export async function runTask (options: RunOptions, pool: WorkerPool, stdin: () => Promise<Uint8Array>): Promise<ExecutionResult> {
  const bytes = new Uint8Array(await readFile(options.modulePath))
  const work = options.dirs.find(dir => dir.guest === WORK_GUEST)
  const mounted = options.dirs.filter(dir => dir.guest !== WORK_GUEST)
  const mounts: TaskMount[] = []
  for (const dir of mounted) mounts.push({ path: dir.guest, files: await readDirectory(dir.host) })
  const input: TaskInput = {
    args: options.args,
    env: options.env,
    stdin: await stdin(),
    files: work === undefined ? [] : await readDirectory(work.host),
    seed: options.seed,
    ...(mounts.length > 0 ? { mounts } : {}),
    // As wasmtime: no --dir for /work, no /work (nor ".").
    ...(work === undefined ? { preopenWork: false } : {})
  }
  let result: ExecutionResult
  const started = performance.now()
  try {
    result = await pool.run(createHash('sha256').update(bytes).digest('hex'), bytes, input, options.limits)
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err))
    if (error.name === RangeError.name || error.name === TypeError.name) throw error
    return refused(error, performance.now() - started)
  }
  if (work !== undefined) await writeDirectory(work.host, result.files)
  for (const [i, dir] of mounted.entries()) await writeDirectory(dir.host, result.mountFiles?.[i] ?? [])
  return result
}

/** The guest path of the directory holding `TaskInput.files`. */
const WORK_GUEST = '/work'

const VALUE_OPTIONS = new Set(['stdin', 'dir', 'env', 'seed', 'timeout', 'memory', 'fuel'])

/**
 * The words after "run": options, the module, then the module's args.
 * Options may also come after the module (zerostate's older form); a word
 * there that is not one of them, or anything after "--", is the module's.
 */
export function parseRunArgs (argv: string[]): RunOptions {
  const values: Record<string, string[]> = {}
  let verbose = false
  let modulePath: string | undefined
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string
    if (word === '--') {
      if (modulePath === undefined) modulePath = argv[++i]
      args.push(...argv.slice(i + 1))
      break
    }
    const option = /^--([^=]+)(?:=(.*))?$/s.exec(word)
    const known = word === '-v' || (option !== null && (option[1] === 'verbose' || VALUE_OPTIONS.has(option[1] as string)))
    if (modulePath !== undefined && !known) {
      args.push(word)
      continue
    }
    if (word === '-v' || option?.[1] === 'verbose') {
      if (option?.[2] !== undefined) throw new BadArgumentsError('--verbose takes no value')
      verbose = true
    } else if (option !== null && known) {
      const name = option[1] as string
      const value = option[2] ?? argv[++i]
      if (value === undefined) throw new BadArgumentsError(`--${name} needs a value`)
      ;(values[name] ??= []).push(value)
    } else if (word.startsWith('-') && word !== '-') {
      throw new BadArgumentsError(`unknown option ${word}`)
    } else {
      modulePath = word
    }
  }
  if (modulePath === undefined) throw new BadArgumentsError('missing <module.wasm>')
  for (const name of ['stdin', 'seed', 'timeout', 'memory', 'fuel']) {
    if ((values[name]?.length ?? 0) > 1) throw new BadArgumentsError(`--${name} given more than once`)
  }
  const single = (name: string): string | undefined => values[name]?.[0]
  const env = (values.env ?? []).map((entry): [string, string] => {
    const at = entry.indexOf('=')
    if (at <= 0) throw new BadArgumentsError(`--env must be NAME=VALUE, got "${entry}"`)
    return [entry.slice(0, at), entry.slice(at + 1)]
  })
  const seedHex = single('seed') ?? '00'.repeat(TASK_SEED_BYTES)
  if (!new RegExp(`^[0-9a-fA-F]{${2 * TASK_SEED_BYTES}}$`).test(seedHex)) {
    throw new BadArgumentsError(`--seed must be ${TASK_SEED_BYTES} bytes as ${2 * TASK_SEED_BYTES} hex digits`)
  }
  const memoryMb = integer('memory', single('memory'), DEFAULT_MEMORY_LIMIT_BYTES / 2 ** 20, 1, MAX_MEMORY_LIMIT_BYTES / 2 ** 20)
  const options: RunOptions = {
    modulePath,
    args,
    dirs: parseDirs(values.dir ?? []),
    env,
    seed: Uint8Array.from(Buffer.from(seedHex, 'hex')),
    limits: {
      timeoutMs: integer('timeout', single('timeout'), DEFAULT_TIMEOUT_MS, 1, 2 ** 31 - 1),
      memoryLimitBytes: memoryMb * 2 ** 20,
      fuel: integer('fuel', single('fuel'), DEFAULT_FUEL, 0, MAX_FUEL)
    },
    verbose
  }
  const stdinPath = single('stdin')
  if (stdinPath !== undefined) options.stdinPath = stdinPath
  return options
}

/** `--dir DIR` is /work (as it always was); `--dir HOST::GUEST` is HOST at GUEST, as wasmtime's --dir. */
function parseDirs (entries: string[]): RunDirectory[] {
  const dirs = entries.map((entry): RunDirectory => {
    const at = entry.indexOf('::')
    const [host, guest] = at < 0 ? [entry, WORK_GUEST] : [entry.slice(0, at), entry.slice(at + 2)]
    if (host === '' || guest === '') throw new BadArgumentsError(`--dir must be HOST or HOST::GUEST, got "${entry}"`)
    return { host, guest }
  })
  const guests = dirs.map(dir => dir.guest)
  const repeated = guests.find((guest, i) => guests.indexOf(guest) !== i)
  if (repeated !== undefined) throw new BadArgumentsError(`two --dir for guest path ${repeated}`)
  return dirs
}

function integer (name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new BadArgumentsError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`)
  }
  return n
}

/** The task's stdin: the file named, or this process's stdin read to its end (no stdin at all reads as empty). */
async function readStdin (path: string | undefined): Promise<Uint8Array> {
  if (path !== undefined && path !== '-') return new Uint8Array(await readFile(path))
  const chunks: Buffer[] = []
  try {
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  } catch (err) {
    // Started without a stdin (fd 0 closed): the task gets an empty one, as from /dev/null.
    if ((err as NodeJS.ErrnoException).code !== 'EBADF') throw err
  }
  return new Uint8Array(Buffer.concat(chunks))
}

/** The files under `dir` ('/'-separated relative paths, sorted); a folder that does not exist yet is empty (it is created if the task writes files). */
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
