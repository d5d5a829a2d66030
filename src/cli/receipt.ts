/**
 * `zerostate receipt verify FILE [RECEIPT ...]`: checks a receipt
 * (docs/receipt-format.md §7) — or a workflow record (docs/workflow-record.md)
 * with the receipts of its steps — offline, with the documented rules; and
 * with `--rerun`, runs the task again in the local sandbox from the module
 * and inputs given, and compares every hash the receipt commits to, the exit
 * and the fuel (the sandbox is deterministic: same module, inputs, args,
 * env, seed and limits give the same bytes and fuel anywhere).
 *
 * Exit status: 0 valid (and, with --rerun, the same result); 1 refused or
 * different; 2 bad arguments or unreadable files.
 */
import { readFile } from 'node:fs/promises'
import { Command, CommanderError, Option } from 'commander'
import { base64UrlToBytes, sha256Hex } from '../core/index.ts'
import { createNodeWorkerPool } from '../execution/node-host.node.ts'
import { WORKFLOW_RECORD_KIND } from '../orchestration/workflow/run-record/index.ts'
import { filesHash, parseReceipt, receiptHash, verifyReceipt } from '../receipts/index.ts'
import type { Receipt } from '../receipts/index.ts'
import { verifyWorkflowCommand } from './verify-workflow.ts'
import type { VerifyWorkflowIo } from './verify-workflow.ts'

const EXIT_REFUSED = 1
const EXIT_USAGE = 2

export const RECEIPT_USAGE = `  zerostate receipt verify FILE [RECEIPT ...] [--spec SPEC] [--rerun --module M.wasm [--stdin FILE] [--file NAME=PATH ...]] [--json]
      Verify a receipt (or a workflow record with its steps' receipts) offline; --rerun runs the task again
      here and compares outputs, exit and fuel with what the receipt signs. Exit: 0 valid, 1 refused or
      different, 2 bad arguments.`

/** Where the command writes; the process's streams unless a test gives others. */
export type ReceiptIo = VerifyWorkflowIo

const processIo: ReceiptIo = {
  out: line => { process.stdout.write(`${line}\n`) },
  err: line => { process.stderr.write(`${line}\n`) }
}

interface VerifyOptions {
  spec?: string
  rerun: boolean
  module?: string
  stdin?: string
  file: string[]
  json: boolean
}

/** One compared field of a re-run: what the receipt signs and what ran here. */
interface Comparison { field: string, receipt: unknown, rerun: unknown, same: boolean }

/** Runs `receipt …` on `argv` (what follows `receipt`); resolves with the exit status. */
export async function receiptCommand (argv: string[], io: ReceiptIo = processIo): Promise<number> {
  let status = 0
  const program = new Command('zerostate receipt')
    .exitOverride()
    .configureOutput({ writeOut: text => { io.out(text.trimEnd()) }, writeErr: text => { io.err(text.trimEnd()) } })
  program.command('verify')
    .description('verify a receipt or a workflow record offline; --rerun runs the task again here and compares')
    .argument('<file>', 'a receipt (JSON), a JSON array of receipts, or a workflow record')
    .argument('[receipts...]', 'with a workflow record: files of its steps\' receipts')
    .option('--spec <file>', 'with a workflow record: the spec, whose hash it must name')
    .option('--rerun', 'run the task again in the local sandbox and compare', false)
    .option('--module <file>', 'with --rerun: the module (its SHA-256 must be the receipt\'s moduleHash)')
    .option('--stdin <file>', 'with --rerun: the task\'s stdin (default empty)')
    .addOption(new Option('--file <name=path...>', 'with --rerun: an input file placed in /work').default([]))
    .option('--json', 'print JSON', false)
    .action(async (file: string, receipts: string[], options: VerifyOptions) => { status = await verify(file, receipts, options, io) })
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE
    throw err
  }
  return status
}

async function verify (file: string, receiptFiles: string[], options: VerifyOptions, io: ReceiptIo): Promise<number> {
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    io.err(`receipt verify: ${file}: ${err instanceof Error ? err.message : String(err)}`)
    return EXIT_USAGE
  }
  if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === WORKFLOW_RECORD_KIND) {
    if (options.rerun) {
      io.err('receipt verify: --rerun takes one receipt; re-run a workflow step from its receipt')
      return EXIT_USAGE
    }
    return verifyWorkflowCommand([file, ...receiptFiles, ...(options.spec === undefined ? [] : ['--spec', options.spec])], io)
  }
  const candidates = Array.isArray(value) ? value : [value]
  // A history record ({ receipt, role, … }) holds its receipt; take it out.
  const receipts = candidates.map(candidate => typeof candidate === 'object' && candidate !== null && 'receipt' in candidate ? (candidate as { receipt: unknown }).receipt : candidate)
  if (options.rerun && receipts.length !== 1) {
    io.err(`receipt verify: --rerun takes one receipt; ${file} holds ${receipts.length}`)
    return EXIT_USAGE
  }
  const checked: Receipt[] = []
  for (const [index, candidate] of receipts.entries()) {
    try {
      const receipt = parseReceipt(candidate)
      await verifyReceipt(receipt)
      checked.push(receipt)
    } catch (err) {
      io.err(`${receipts.length > 1 ? `receipt ${index}: ` : ''}${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`)
      return EXIT_REFUSED
    }
  }
  if (!options.rerun) {
    for (const receipt of checked) {
      io.out(options.json
        ? JSON.stringify({ valid: true, receiptHash: receiptHash(receipt), taskId: receipt.taskId, executor: receipt.executor, submitter: receipt.submitter, status: receipt.status, fuelUsed: receipt.fuelUsed, charge: receipt.price.charge })
        : `valid: receipt ${receiptHash(receipt)} of task ${receipt.taskId}, run by ${receipt.executor} for ${receipt.submitter}: ${receipt.status}${receipt.exitCode === null ? '' : ` (exit ${receipt.exitCode})`}, ${receipt.fuelUsed ?? '?'} fuel, ${receipt.price.charge} µ`)
    }
    return 0
  }
  return rerun(checked[0]!, options, io)
}

async function rerun (receipt: Receipt, options: VerifyOptions, io: ReceiptIo): Promise<number> {
  let module: Uint8Array<ArrayBuffer>
  let stdin: Uint8Array<ArrayBuffer>
  let files: Array<[string, Uint8Array<ArrayBuffer>]>
  try {
    if (options.module === undefined) throw new TypeError('--rerun needs --module: the receipt names the module by its hash only')
    module = new Uint8Array(await readFile(options.module))
    stdin = options.stdin === undefined ? new Uint8Array(0) : new Uint8Array(await readFile(options.stdin))
    files = await Promise.all(options.file.map(async (spec): Promise<[string, Uint8Array<ArrayBuffer>]> => {
      const at = spec.indexOf('=')
      if (at <= 0) throw new TypeError(`--file ${spec}: expected NAME=PATH`)
      return [spec.slice(0, at), new Uint8Array(await readFile(spec.slice(at + 1)))]
    }))
  } catch (err) {
    io.err(`receipt verify: ${err instanceof Error ? err.message : String(err)}`)
    return EXIT_USAGE
  }
  // The inputs must be the ones the receipt signs, or the re-run proves nothing.
  const inputs: Array<[string, string, string]> = [
    ['moduleHash', receipt.moduleHash, sha256Hex(module)],
    ['inputHash', receipt.inputHash, sha256Hex(stdin)],
    ['inputFilesHash', receipt.inputFilesHash, filesHash(files)]
  ]
  for (const [field, signed, given] of inputs) {
    if (signed !== given) {
      io.err(`receipt verify: the ${field === 'moduleHash' ? 'module' : field === 'inputHash' ? 'stdin' : 'input files'} given is not the one the receipt names (${field} ${signed}, given ${given})`)
      return EXIT_USAGE
    }
  }
  const pool = createNodeWorkerPool({ slots: 1 })
  try {
    const result = await pool.run(receipt.moduleHash, module,
      { args: receipt.args, env: receipt.env, stdin, files, seed: base64UrlToBytes(receipt.seed) },
      { timeoutMs: receipt.limits.timeoutMs, memoryLimitBytes: receipt.limits.memoryBytes, fuel: receipt.limits.fuel })
    const compare = (field: string, signed: unknown, here: unknown): Comparison => ({ field, receipt: signed, rerun: here, same: signed === here })
    const comparisons = [
      compare('status', receipt.status, result.status),
      compare('exitCode', receipt.exitCode, result.status === 'ok' || result.status === 'exit' ? result.exitCode : null),
      compare('outputHash', receipt.outputHash, sha256Hex(result.stdout)),
      compare('stderrHash', receipt.stderrHash, sha256Hex(result.stderr)),
      compare('outputFilesHash', receipt.outputFilesHash, filesHash(result.files)),
      compare('fuelUsed', receipt.fuelUsed, result.fuelUsed)
    ]
    const same = comparisons.every(c => c.same)
    if (options.json) {
      io.out(JSON.stringify({ valid: true, receiptHash: receiptHash(receipt), same, comparisons }))
    } else {
      for (const c of comparisons) io.out(`${c.same ? 'same' : 'DIFFERENT'}\t${c.field}\treceipt ${String(c.receipt)}\trerun ${String(c.rerun)}`)
      io.out(same
        ? `valid, and the re-run here gives the same result: receipt ${receiptHash(receipt)} of task ${receipt.taskId} by ${receipt.executor}`
        : `valid signature, but the re-run here differs: the executor ${receipt.executor} signed a result this module does not give`)
    }
    return same ? 0 : EXIT_REFUSED
  } finally {
    pool.stop()
  }
}
