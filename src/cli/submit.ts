/**
 * `zerostate submit [options] MODULE [ARGS...]`: one task on the mesh, as
 * `mesh.submit()` runs it — stdin piped through (or `--stdin FILE`), the
 * task's stdout and stderr written as they are, its output files to
 * `--out DIR`, its verified receipt to `--receipt FILE`. The exit status is
 * the task's own, as `zerostate run`'s is (its exit code; 124–128 for a
 * timeout, an invalid module, a trap, fuel, memory), 1 when the mesh or a
 * check failed, 2 for bad arguments, 130 on Ctrl-C (the task is abandoned).
 */
import { readFile, writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { RemoteTaskError } from '../orchestration/task-protocol/index.ts'
import type { SubmitRequest, SubmitResult } from '../peer/types.ts'
import { receiptHash, receiptToJson, type Receipt } from '../receipts/index.ts'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, errorLine, parseCount, parsePair } from './cli-output.ts'
import { addMeshOptions, collect, readAll, withMesh, writeFilesUnder, writeOut, type MeshCliIo, type MeshOptions } from './mesh-session.ts'
import { STATUS_EXIT_CODES } from './run-task.ts'

interface SubmitOptions extends MeshOptions {
  stdin?: string
  env: string[]
  file: string[]
  executor?: string
  redundancy?: string
  receipt?: string
  out?: string
  taskTimeout?: string
  fuel?: string
  maxPrice?: string
}

/** The process exit status a task's receipt calls for: its exit code (1–255; others 1), or one per status as `zerostate run`. */
export function taskExitStatus (receipt: Pick<Receipt, 'status' | 'exitCode'>): number {
  if (receipt.status === 'ok') return EXIT_OK
  if (receipt.status === 'exit') return receipt.exitCode !== null && receipt.exitCode >= 1 && receipt.exitCode <= 255 ? receipt.exitCode : EXIT_FAILED
  return STATUS_EXIT_CODES[receipt.status as keyof typeof STATUS_EXIT_CODES] ?? EXIT_FAILED
}

/** The request the options describe (files read, pairs checked); throws UsageError for what cannot be used. */
export async function submitRequestOf (module: string, args: string[], options: SubmitOptions, stdin: Uint8Array | undefined): Promise<SubmitRequest> {
  const readArg = async (option: string, path: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await readFile(path))
    } catch (err) {
      throw new UsageError(`${option} ${path}: ${(err as Error).message}`)
    }
  }
  const files: Array<[string, Uint8Array]> = []
  for (const spec of options.file) {
    const [name, path] = parsePair('--file', spec)
    files.push([name, await readArg('--file', path)])
  }
  const redundancy = options.redundancy === undefined ? undefined : parseCount('--redundancy', options.redundancy, 1, 5)
  return {
    module,
    args,
    ...(stdin === undefined ? {} : { stdin }),
    ...(options.env.length === 0 ? {} : { env: options.env.map(spec => parsePair('--env', spec)) }),
    ...(files.length === 0 ? {} : { files }),
    ...(options.executor === undefined ? {} : { executor: options.executor }),
    ...(redundancy === undefined ? {} : { redundancy }),
    ...(options.taskTimeout === undefined ? {} : { timeoutMs: parseCount('--task-timeout', options.taskTimeout, 1) }),
    ...(options.fuel === undefined ? {} : { fuel: parseCount('--fuel', options.fuel, 1) }),
    ...(options.maxPrice === undefined ? {} : { maxTotalPrice: parseCount('--max-price', options.maxPrice, 0) })
  }
}

export function addSubmitCommand (program: Command, io: MeshCliIo, setStatus: (code: number) => void): void {
  const command = program.command('submit')
    .description('run one task on the mesh: stdin piped through, its stdout and stderr written, exit with its exit code')
    .argument('<module>', 'a .wasm file, a sample id (lang-detect) or a URL (relative to the server)')
    .argument('[args...]', 'the task\'s args (after -- when they start with a dash)')
    .option('--stdin <file>', 'the task\'s stdin from a file (default: this one\'s, when it is not a terminal)')
    .option('--env <K=V>', 'the task\'s environment (repeatable; nothing comes from the executor\'s)', collect, [])
    .option('--file <NAME=PATH>', 'a file placed in the task\'s /work (repeatable)', collect, [])
    .option('--executor <peerId>', 'run it on this peer (default: chosen from Agent Cards)')
    .option('--redundancy <n>', 'run it on N executors (1–5) and keep the majority\'s result')
    .option('--receipt <file>', 'write the verified receipt (JSON) here')
    .option('--out <dir>', 'write the files the task wrote in /work here')
    .option('--task-timeout <ms>', 'the task\'s wall-clock limit on the executor')
    .option('--fuel <n>', 'the instructions the task may execute')
    .option('--max-price <µ>', 'the most the task may cost, micro-units')
  addMeshOptions(command).action(async (module: string, args: string[], options: SubmitOptions) => {
    setStatus(await submit(module, args, options, io))
  })
}

async function submit (module: string, args: string[], options: SubmitOptions, io: MeshCliIo): Promise<number> {
  let request: SubmitRequest
  try {
    const stdin = options.stdin !== undefined
      ? options.stdin === '-' ? await readAll(io.stdin) : await readFile(options.stdin).catch((err: unknown) => { throw new UsageError(`--stdin ${options.stdin}: ${(err as Error).message}`) })
      : io.stdin.isTTY === true ? undefined : await readAll(io.stdin)
    request = await submitRequestOf(module, args, options, stdin === undefined ? undefined : new Uint8Array(stdin))
  } catch (err) {
    io.stderr.write(`zerostate submit: ${err instanceof UsageError ? err.message : errorLine(err)}\n`)
    return EXIT_USAGE
  }
  return withMesh(options, io, async ({ mesh, json, signal, note }) => {
    let result: SubmitResult
    try {
      result = await mesh.submit(request, { signal })
    } catch (err) {
      // A task that ran and failed has a verified receipt all the same: kept, and exited with as `zerostate run` does.
      const receipt = err instanceof RemoteTaskError ? err.receipt : undefined
      if (receipt === undefined || signal.aborted) throw err
      if (options.receipt !== undefined) await writeFile(options.receipt, receiptToJson(receipt))
      if (json) await writeOut(io.stdout, `${JSON.stringify({ error: { name: (err as Error).name, message: (err as Error).message }, status: receipt.status, exitCode: receipt.exitCode, receipt, receiptHash: receiptHash(receipt) })}\n`)
      note(errorLine(err))
      return taskExitStatus(receipt)
    }
    if (options.receipt !== undefined) await writeFile(options.receipt, receiptToJson(result.receipt))
    const saved = options.out === undefined ? [] : await writeFilesUnder(options.out, result.files)
    if (json) {
      await writeOut(io.stdout, `${JSON.stringify({
        stdout: new TextDecoder().decode(result.stdout),
        stderr: new TextDecoder().decode(result.stderr),
        exitCode: result.exitCode,
        executor: result.executor,
        files: result.files.map(([path, bytes], i) => ({ path, bytes: bytes.byteLength, ...(saved[i] === undefined ? {} : { saved: saved[i] }) })),
        receipt: result.receipt,
        receiptHash: receiptHash(result.receipt)
      })}\n`)
    } else {
      await writeOut(io.stdout, result.stdout)
      await writeOut(io.stderr, result.stderr)
      if (result.files.length > 0 && options.out === undefined) note(`zerostate submit: the task wrote ${result.files.length} file${result.files.length === 1 ? '' : 's'} (--out DIR saves them)`)
    }
    return taskExitStatus(result.receipt)
  })
}
