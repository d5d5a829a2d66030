/**
 * What every mesh command (mesh-commands.ts) shares: the process's streams
 * and signals (or a test's), the common options, and the session — connect
 * through the SDK, wait for executors, do the work, close — with its exit
 * codes: the work's; 130 (143) after Ctrl-C (SIGTERM), whose first press
 * aborts the session's signal so the work stops cleanly and whose second
 * exits at once; 1 with the error's name and message; 2 for a UsageError.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { Command, Option } from 'commander'
import type { Logger } from '../core/index.ts'
import type { ConnectOptions, Mesh } from '../peer/connect.node.ts'
import { EXIT_FAILED, EXIT_SIGINT, EXIT_SIGTERM, EXIT_USAGE, UsageError, errorLine, parseCount, useColor } from './cli-output.ts'

/** The process's streams and signals, or a test's. */
export interface MeshCliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean, columns?: number }
  stderr: NodeJS.WritableStream & { isTTY?: boolean, columns?: number }
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  env: Readonly<Record<string, string | undefined>>
  /** Where SIGINT and SIGTERM come from. */
  signals: NodeJS.EventEmitter
  connect(options: ConnectOptions): Promise<Mesh>
  /** Ends the process at once: a second Ctrl-C. */
  exit(code: number): void
  now(): number
}

export const processIo: MeshCliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signals: process,
  connect: async options => (await import('../peer/connect.node.ts')).connect(options),
  exit: code => process.exit(code),
  now: () => Date.now()
}

/** The options every mesh command has, as commander gives them. */
export interface MeshOptions {
  server?: string
  relayAddr: string[]
  dir?: string
  timeout?: string
  json: boolean
  waitExecutors: string
}

/** Adds the shared options; `waitExecutors` is the default of --wait-executors (1 where work is submitted). */
export function addMeshOptions (command: Command, waitExecutors = '1'): Command {
  return command
    .addOption(new Option('--server <url>', 'the app server: its /config.json names the relays; samples come from it').env('ZEROSTATE_SERVER'))
    .option('--relay-addr <multiaddr>', 'a relay to join through, instead of the server\'s (repeatable)', collect, [])
    .addOption(new Option('--dir <dir>', 'this peer\'s state (identity, receipts, channels, runs); one process per directory — not the one a running `zerostate contribute` uses').env('ZEROSTATE_HOME'))
    .option('--timeout <ms>', 'give up after this long (exit 1 with TimeoutError); a workflow is left resumable')
    .option('--json', 'machine-readable output on stdout', false)
    .option('--wait-executors <n>', 'wait (60 s at most) for this many contributing peers with Agent Cards first', waitExecutors)
}

/** What a command's work gets: the mesh, a signal for Ctrl-C and --timeout, and where to write. */
export interface Session {
  mesh: Mesh
  io: MeshCliIo
  json: boolean
  /** Colour and redraws: a terminal, not --json, no NO_COLOR. */
  color: boolean
  /** Aborted by the first Ctrl-C (or SIGTERM) and by --timeout. */
  signal: AbortSignal
  /** Whether a Ctrl-C (or SIGTERM) came: then the command exits 130 (143) whatever the work returns. */
  interrupted(): boolean
  /** Writes a line on stderr (notes and progress for people; never the data). */
  note(line: string): void
}

/** Named as AbortSignal.timeout's reason is: what --timeout ends the work with. */
function deadlineError (ms: number): Error {
  return Object.assign(new Error(`--timeout ${ms} ms passed`), { name: 'TimeoutError' })
}

const EXECUTOR_WAIT_MS = 60_000

/**
 * Connects, waits for executors, runs `work`, closes. Resolves with the exit
 * code: `work`'s; the signal's (130, 143) once interrupted; 1 with the
 * error's name and message when connecting or the work failed; 2 for a
 * UsageError.
 */
export async function withMesh (options: MeshOptions, io: MeshCliIo, work: (session: Session) => Promise<number>): Promise<number> {
  let timeoutMs: number | undefined
  let waitCount: number
  try {
    timeoutMs = options.timeout === undefined ? undefined : parseCount('--timeout', options.timeout, 1)
    waitCount = parseCount('--wait-executors', options.waitExecutors, 0, 1000)
  } catch (err) {
    io.stderr.write(`zerostate: ${(err as Error).message}\n`)
    return EXIT_USAGE
  }
  const note = (line: string): void => { io.stderr.write(`${line}\n`) }
  const interrupt = new AbortController()
  let caught: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (caught !== undefined) {
      note(`${signal} again: exiting now`)
      io.exit(signal === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT)
      return
    }
    caught = signal
    if (!options.json) note(`\n${signal}: stopping (again to exit at once)`)
    interrupt.abort(Object.assign(new Error(`interrupted by ${signal}`), { name: 'AbortError' }))
  }
  const onInt = (): void => { onSignal('SIGINT') }
  const onTerm = (): void => { onSignal('SIGTERM') }
  io.signals.on('SIGINT', onInt)
  io.signals.on('SIGTERM', onTerm)
  const deadline = new AbortController()
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => { deadline.abort(deadlineError(timeoutMs)) }, timeoutMs)
  const signal = AbortSignal.any([interrupt.signal, deadline.signal])
  const interruptedCode = (): number => caught === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT
  // What the services chose to live with, on stderr; quiet once the work is done (leaving the mesh drops streams).
  let closing = false
  const warn = (message: string, error: unknown): void => {
    if (!closing) note(`zerostate: ${message}${error === undefined ? '' : `: ${errorLine(error)}`}`)
  }
  const logger: Logger = { debug () {}, warn, error: warn }
  let mesh: Mesh | undefined
  try {
    mesh = await io.connect({
      ...(options.server === undefined ? {} : { server: options.server }),
      ...(options.relayAddr.length === 0 ? {} : { relays: options.relayAddr }),
      ...(options.dir === undefined ? {} : { dir: options.dir }),
      logger,
      signal
    })
    if (waitCount > 0) {
      if (!options.json) note(`peer ${mesh.peerId}: waiting for ${waitCount} contributing peer${waitCount === 1 ? '' : 's'}…`)
      await mesh.waitForExecutors(waitCount, { timeoutMs: Math.min(EXECUTOR_WAIT_MS, timeoutMs ?? EXECUTOR_WAIT_MS), signal })
    }
    const status = await work({
      mesh,
      io,
      json: options.json,
      color: !options.json && useColor(io.env, io.stderr.isTTY === true),
      signal,
      interrupted: () => caught !== undefined,
      note
    })
    return caught === undefined ? status : interruptedCode()
  } catch (err) {
    if (caught !== undefined) return interruptedCode()
    if (err instanceof UsageError) {
      note(`zerostate: ${err.message}`)
      return EXIT_USAGE
    }
    note(errorLine(deadline.signal.aborted ? deadline.signal.reason : err))
    return EXIT_FAILED
  } finally {
    closing = true
    clearTimeout(timer)
    await mesh?.close().catch((err: unknown) => { note(`zerostate: closing: ${errorLine(err)}`) })
    io.signals.off('SIGINT', onInt)
    io.signals.off('SIGTERM', onTerm)
  }
}

/** Writes `data` and resolves once it is handed to the OS (before the process exits). */
export async function writeOut (stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.write(data, err => { if (err == null) resolve(); else reject(err) })
  })
}

/** Every byte of a stream (stdin piped in), to its end. */
export async function readAll (stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk)
  return new Uint8Array(Buffer.concat(chunks))
}

/** Adds `value` to a repeatable option's list (commander's collector). */
export function collect (value: string, previous: string[]): string[] {
  return [...previous, value]
}

/**
 * Writes output files (relative paths, as a task's /work holds them) under
 * `dir`; a path that would leave it is refused. Resolves with where each went.
 */
export async function writeFilesUnder (dir: string, files: ReadonlyArray<readonly [string, Uint8Array]>): Promise<string[]> {
  const root = resolve(dir)
  const written: string[] = []
  for (const [path, bytes] of files) {
    const target = resolve(root, path)
    if (target !== root && !target.startsWith(root + sep)) throw new RangeError(`output file ${JSON.stringify(path)} is not inside ${dir}`)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, bytes)
    written.push(target)
  }
  return written
}
