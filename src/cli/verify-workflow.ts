/**
 * `zerostate verify-workflow <record.json> [receipt.json ...] [--spec FILE]`:
 * checks a signed workflow record (docs/workflow-record.md) — its signature
 * and schema, then the spec when given, then, when receipts are given, every
 * completed step against its receipt — and prints one line per step.
 *
 * Exit status: 0 when everything given checks out, 1 when the record (or a
 * step's receipt) is refused, 2 for bad arguments or unreadable files.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { verifyWorkflowRecord } from '../orchestration/workflow/run-record/index.ts'

export const VERIFY_WORKFLOW_USAGE = `  zerostate verify-workflow <record.json> [receipt.json ...] [--spec FILE]
      Check a signed workflow record: its signature, the spec's hash (--spec), and every completed
      step against its receipt (each file one receipt or a JSON array of them). Exit: 0 valid,
      1 refused (the error's name and message), 2 bad arguments.`

/** Where the command writes; the process's streams unless a test gives others. */
export interface VerifyWorkflowIo {
  out: (line: string) => void
  err: (line: string) => void
  /** The clock the record's date is checked against (default Date.now). */
  now?: () => number
}

const processIo: VerifyWorkflowIo = {
  out: line => { process.stdout.write(`${line}\n`) },
  err: line => { process.stderr.write(`${line}\n`) }
}

async function readJson (path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'))
}

/** Runs the command on `argv` (what follows `verify-workflow`); resolves with the exit status. */
export async function verifyWorkflowCommand (argv: string[], io: VerifyWorkflowIo = processIo): Promise<number> {
  let record: unknown
  let receipts: unknown[] | undefined
  let specText: string | undefined
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { spec: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }
    })
    if (values.help) {
      io.out(`Usage:\n${VERIFY_WORKFLOW_USAGE}`)
      return 0
    }
    const [recordPath, ...receiptPaths] = positionals
    if (recordPath === undefined) throw new TypeError('a record file is required')
    record = await readJson(recordPath)
    if (receiptPaths.length > 0) {
      receipts = (await Promise.all(receiptPaths.map(readJson))).flatMap(value => Array.isArray(value) ? value : [value])
    }
    if (values.spec !== undefined) specText = await readFile(values.spec, 'utf8')
  } catch (err) {
    io.err(`verify-workflow: ${err instanceof Error ? err.message : String(err)}\n\nUsage:\n${VERIFY_WORKFLOW_USAGE}`)
    return 2
  }
  try {
    const report = await verifyWorkflowRecord(record, {
      now: (io.now ?? Date.now)(), ...(specText === undefined ? {} : { specText }), ...(receipts === undefined ? {} : { receipts })
    })
    const { record: checked } = report
    for (const step of report.steps) {
      const name = step.item === undefined ? step.name : `${step.name}[${step.item}]`
      io.out(`${name}\t${step.state}\treceipt ${step.receipt}${step.executor === null ? '' : `\t${step.executor}`}`)
    }
    const verified = report.steps.filter(step => step.receipt === 'verified').length
    io.out(`valid: workflow record of run ${checked.runId} (${checked.state}) signed by ${checked.submitter}; ` +
      `${report.steps.length} step entries, ${report.receiptsChecked ? `${verified} receipts verified` : 'receipts not checked'}, ` +
      `spec ${report.specChecked ? 'matches' : 'not checked'}`)
    return 0
  } catch (err) {
    io.err(err instanceof Error ? `${err.name}: ${err.message}` : String(err))
    return 1
  }
}
