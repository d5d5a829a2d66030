/**
 * `zerostate job MODULE --inputs FILE|DIR [options] [-- ARGS...]`: one module
 * over many inputs, as `mesh.job()` spreads them over the mesh. The inputs
 * are a text file's non-empty lines (several to a task, `--slice N`; the
 * module prints one line per input line, as `lang-detect --lines` does) or a
 * directory's files (one task each, its bytes as stdin). Results come out in
 * input order as they are released: one line each on stdout (JSON Lines with
 * --json: {index, output|error, executor, taskId}) or one file each in
 * `--out DIR`; a progress bar on stderr when it is a terminal. Exit 0 when
 * every input has a result, 1 when any failed, 130 on Ctrl-C (the job is
 * canceled: no new slices, running ones abandoned and not paid).
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import type { JobEvent, JobItemResult, JobRunStatus } from '../orchestration/jobs/index.ts'
import type { JobRequest } from '../peer/types.ts'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, errorLine, inputLines, jobProgressLine, jobResultJson, outputName, parseCount, parsePair, ratePerSecond } from './cli-output.ts'
import { addMeshOptions, collect, readAll, withMesh, writeFilesUnder, writeOut, type MeshCliIo, type MeshOptions } from './mesh-session.ts'

interface JobOptions extends MeshOptions {
  inputs: string
  lines?: boolean
  slice?: string
  args?: string
  out?: string
  budget?: string
  redundancy?: string
  /** False with --no-verify. */
  verify?: boolean
  env: string[]
  file: string[]
  taskTimeout?: string
  fuel?: string
  maxPrice?: string
}

/** A job's inputs as read from the command line, with their names when they came from a directory's files. */
export interface JobInputs {
  inputs: string[] | Uint8Array[]
  names?: string[]
}

/** `--inputs`: a directory (each file one input, by name), `-` (stdin's lines) or a file (its lines). */
export async function readJobInputs (path: string, stdin: NodeJS.ReadableStream): Promise<JobInputs> {
  try {
    if (path === '-') return { inputs: inputLines(new TextDecoder().decode(await readAll(stdin))) }
    const entries = await readdir(path, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTDIR') return undefined
      throw err
    })
    if (entries === undefined) return { inputs: inputLines(await readFile(path, 'utf8')) }
    const names = entries.filter(entry => entry.isFile()).map(entry => entry.name).sort()
    return { inputs: await Promise.all(names.map(async name => new Uint8Array(await readFile(join(path, name))))), names }
  } catch (err) {
    throw new UsageError(`--inputs ${path}: ${(err as Error).message}`)
  }
}

/** The job request the options describe; throws UsageError for what cannot be used. */
export async function jobRequestOf (module: string, args: string[], options: JobOptions, given: JobInputs): Promise<JobRequest> {
  if (given.inputs.length === 0) throw new UsageError(`--inputs ${options.inputs}: no inputs (no non-empty line, or no file)`)
  if (options.lines === true && given.names !== undefined) throw new UsageError(`--lines: --inputs ${options.inputs} is a directory (each file is one input)`)
  const files: Array<[string, Uint8Array]> = []
  for (const spec of options.file) {
    const [name, path] = parsePair('--file', spec)
    files.push([name, new Uint8Array(await readFile(path).catch((err: unknown) => { throw new UsageError(`--file ${path}: ${(err as Error).message}`) }))])
  }
  const sliceSize = options.slice === undefined ? undefined : parseCount('--slice', options.slice, 1, 10_000)
  if (sliceSize !== undefined && sliceSize > 1 && given.names !== undefined) throw new UsageError('--slice: a directory\'s files are one input to a task each')
  const redundancy = options.redundancy === undefined ? undefined : parseCount('--redundancy', options.redundancy, 1, 5)
  return {
    module,
    inputs: given.inputs,
    args: [...(options.args === undefined ? [] : options.args.split(/\s+/).filter(arg => arg !== '')), ...args],
    ...(sliceSize === undefined ? {} : { sliceSize }),
    ...(redundancy === undefined ? {} : { redundancy }),
    ...(options.verify === false ? { verify: false } : {}),
    ...(options.budget === undefined ? {} : { budget: parseCount('--budget', options.budget, 0) }),
    ...(options.env.length === 0 ? {} : { env: options.env.map(spec => parsePair('--env', spec)) }),
    ...(files.length === 0 ? {} : { files }),
    ...(options.taskTimeout === undefined ? {} : { timeoutMs: parseCount('--task-timeout', options.taskTimeout, 1) }),
    ...(options.fuel === undefined ? {} : { fuel: parseCount('--fuel', options.fuel, 1) }),
    ...(options.maxPrice === undefined ? {} : { maxTotalPrice: parseCount('--max-price', options.maxPrice, 0) })
  }
}

export function addJobCommand (program: Command, io: MeshCliIo, setStatus: (code: number) => void): void {
  const command = program.command('job')
    .description('run one module over many inputs across the mesh; results in input order')
    .argument('<module>', 'a .wasm file, a sample id (lang-detect) or a URL (relative to the server)')
    .argument('[args...]', 'the module\'s args, after -- (or --args)')
    .requiredOption('--inputs <path>', 'a text file (one input per non-empty line), - for stdin\'s lines, or a directory (one input per file, its bytes)')
    .option('--lines', 'one input per line of the file (the default for a file)')
    .option('--slice <n>', 'lines to a task (default 50); the module must print one line per input line')
    .option('--args <args>', 'the module\'s args, space-separated (e.g. --args=--lines)')
    .option('--out <dir>', 'one file per input here (its name, or its index), instead of stdout')
    .option('--budget <µ>', 'the most the whole job may cost, micro-units')
    .option('--redundancy <n>', 'each slice on N executors (1–5), the majority\'s result kept')
    .option('--no-verify', 'do not check slices\' results by this peer\'s verification policy (docs/trust-and-payments.md §3)')
    .option('--env <K=V>', 'the tasks\' environment (repeatable)', collect, [])
    .option('--file <NAME=PATH>', 'a file in every task\'s /work (repeatable)', collect, [])
    .option('--task-timeout <ms>', 'each task\'s wall-clock limit')
    .option('--fuel <n>', 'the instructions each task may execute')
    .option('--max-price <µ>', 'the most each task may cost, micro-units')
  addMeshOptions(command).action(async (module: string, args: string[], options: JobOptions) => {
    setStatus(await job(module, args, options, io))
  })
}

async function job (module: string, args: string[], options: JobOptions, io: MeshCliIo): Promise<number> {
  let request: JobRequest
  let given: JobInputs
  try {
    given = await readJobInputs(options.inputs, io.stdin)
    request = await jobRequestOf(module, args, options, given)
  } catch (err) {
    io.stderr.write(`zerostate job: ${err instanceof UsageError ? err.message : errorLine(err)}\n`)
    return EXIT_USAGE
  }
  const total = given.inputs.length
  return withMesh(options, io, async ({ mesh, json, signal, note }) => {
    const started = io.now()
    let done = 0
    let failed = 0
    // Results are released in input order; written in that order, one after the other.
    let writing = Promise.resolve()
    const write = (result: JobItemResult): Promise<void> => {
      if (options.out !== undefined) {
        const name = outputName(result.index, total, given.names)
        return writeFilesUnder(options.out, [
          result.error === undefined ? [name, new TextEncoder().encode(result.output ?? '')] : [`${name}.error`, new TextEncoder().encode(`${result.error}\n`)],
          ...(result.files ?? []).map(([path, bytes]): [string, Uint8Array] => [`${name}.files/${path}`, bytes])
        ]).then(() => {})
      }
      if (json) return writeOut(io.stdout, `${jobResultJson(result)}\n`)
      if (result.error !== undefined) note(`input ${result.index}: ${result.error}`)
      const output = result.error === undefined ? result.output ?? '' : ''
      return writeOut(io.stdout, output.endsWith('\n') ? output : `${output}\n`)
    }
    const bar = !json && io.stderr.isTTY === true
      ? new SingleBar({
        stream: io.stderr,
        format: ' {bar} {value}/{total} inputs | {rate}/s | ETA {eta_formatted} | {state}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
        fps: 5
      })
      : undefined
    bar?.start(total, 0, { rate: '0.0', state: 'starting' })
    try {
      const runner = await mesh.job(request, { signal })
      runner.addEventListener('result', event => {
        const result = (event as JobEvent<JobItemResult>).detail
        done++
        if (result.error !== undefined) failed++
        bar?.update(done, { rate: ratePerSecond(done, io.now() - started).toFixed(1) })
        writing = writing.then(async () => { await write(result) })
      })
      runner.addEventListener('status', event => {
        const status = (event as JobEvent<JobRunStatus>).detail
        bar?.update(done, { state: `${status.state}, ${status.running} running${status.retries === 0 ? '' : `, ${status.retries} retries`}${status.spent === 0 ? '' : `, ${status.spent} µ`}` })
      })
      const results = await runner.results()
      await writing
      bar?.stop()
      if (!json) note(jobProgressLine(done, total, io.now() - started, failed))
      if (failed > 0) note(`zerostate job: ${failed} of ${results.length} inputs have no result`)
      return failed === 0 ? EXIT_OK : EXIT_FAILED
    } finally {
      bar?.stop()
      await writing.catch(() => {})
    }
  })
}
