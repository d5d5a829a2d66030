/**
 * `zerostate receipt verify`: a real receipt — a task run in the Node sandbox
 * and signed as an executor signs it — checked offline; a tampered one
 * refused; `--rerun` runs the task again from the module and inputs and finds
 * the same bytes and fuel, or finds out an executor that signed output the
 * module does not give; a workflow record is handed to verify-workflow's checks.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { receiptCommand } from '../../../src/cli/receipt.ts'
import { bytesToBase64Url, sha256Hex } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import type { ExecutionResult } from '../../../src/execution/types.ts'
import { signWorkflowRecord, workflowRecordOf } from '../../../src/orchestration/workflow/run-record/index.ts'
import { FREE_PRICES, chargeFor } from '../../../src/receipts/pricing/index.ts'
import { RECEIPT_VERSION, filesHash, receiptHash, signReceipt } from '../../../src/receipts/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import { SPEC, T0, buildFixture } from '../orchestration/workflow/run-record-fixture.ts'

const ROOT = join(import.meta.dirname, '..', '..', '..')
const MODULE = join(ROOT, 'src/workloads/csv-to-json/csv-to-json.wasm')
const CSV = 'city,population\nTokyo,37400068\nZürich,434335\n'
const LIMITS = { timeoutMs: 30_000, memoryBytes: 64 << 20, fuel: 10_000_000_000 }
const SEED = new Uint8Array(32).fill(3)

async function run (argv: string[]): Promise<{ code: number, out: string[], err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await receiptCommand(argv, { out: line => out.push(line), err: line => err.push(line), now: () => T0 + 60_000 })
  return { code, out, err }
}

/** What the executor signs for `result` (task-protocol/executor.ts), optionally with another stdout. */
async function receiptOf (executor: PeerIdentity, submitter: string, module: Uint8Array, stdin: Uint8Array, result: ExecutionResult, stdout = result.stdout): Promise<Receipt> {
  const used = { fuel: result.fuelUsed, durationMs: Math.round(result.durationMs), memoryBytes: result.memoryPeakBytes }
  return signReceipt({
    version: RECEIPT_VERSION,
    taskId: 'cli-receipt-1',
    moduleHash: sha256Hex(module),
    inputHash: sha256Hex(stdin),
    outputHash: sha256Hex(stdout),
    stderrHash: sha256Hex(result.stderr),
    args: ['--infer'],
    env: [],
    seed: bytesToBase64Url(SEED),
    inputFilesHash: filesHash([]),
    outputFilesHash: filesHash(result.files),
    status: result.status,
    exitCode: result.exitCode,
    startedAt: Math.round(result.startedAt),
    durationMs: used.durationMs,
    limits: LIMITS,
    fuelUsed: used.fuel,
    memoryPeakBytes: used.memoryBytes,
    price: { ...FREE_PRICES, maxTotalPrice: 1000, charge: chargeFor(FREE_PRICES, used, 1000) },
    executor: executor.peerId.toString(),
    submitter,
    publicKey: bytesToBase64Url(executor.publicKey)
  }, executor)
}

describe('zerostate receipt verify', () => {
  let dir: string
  let receipt: Receipt
  const path = (name: string): string => join(dir, name)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zerostate-receipt-'))
    const module = new Uint8Array(await readFile(MODULE))
    const stdin = new TextEncoder().encode(CSV)
    const pool = createNodeWorkerPool({ slots: 1 })
    const result = await pool.run(sha256Hex(module), module, { args: ['--infer'], env: [], stdin, files: [], seed: SEED }, { timeoutMs: LIMITS.timeoutMs, memoryLimitBytes: LIMITS.memoryBytes, fuel: LIMITS.fuel })
    pool.stop()
    const [executor, submitter] = await Promise.all([createIdentity(), createIdentity()])
    receipt = await receiptOf(executor, submitter.peerId.toString(), module, stdin, result)
    const lie = await receiptOf(executor, submitter.peerId.toString(), module, stdin, result, new TextEncoder().encode('[{"city":"Atlantis"}]\n'))
    await writeFile(path('receipt.json'), JSON.stringify(receipt))
    await writeFile(path('history.json'), JSON.stringify([{ receipt, role: 'submitter', label: 'csv' }, { receipt: lie, role: 'submitter', label: 'csv' }]))
    await writeFile(path('tampered.json'), JSON.stringify({ ...receipt, fuelUsed: (receipt.fuelUsed ?? 0) + 1 }))
    await writeFile(path('lie.json'), JSON.stringify(lie))
    await writeFile(path('input.csv'), CSV)
    await writeFile(path('other.csv'), `${CSV}Delhi,28514000\n`)
    const fx = await buildFixture()
    const record = await signWorkflowRecord(workflowRecordOf({ run: fx.run, events: fx.events, outputs: fx.outputs, submitter: fx.submitter }), fx.submitter)
    await writeFile(path('record.json'), JSON.stringify(record))
    await writeFile(path('spec.yaml'), SPEC)
  }, 60_000)

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('says a receipt is valid, with what it signs; and every receipt of a history export', async () => {
    const one = await run(['verify', path('receipt.json')])
    expect(one.code).toBe(0)
    expect(one.out[0]).toMatch(new RegExp(`^valid: receipt ${receiptHash(receipt)} of task cli-receipt-1, run by 12D3KooW\\w+ for 12D3KooW\\w+: ok \\(exit 0\\), \\d+ fuel, 0 µ$`))
    const json = await run(['verify', path('history.json'), '--json'])
    expect(json.code).toBe(0)
    expect(json.out.map(line => (JSON.parse(line) as { valid: boolean }).valid)).toEqual([true, true])
  })

  it('refuses a receipt changed after it was signed (exit 1, the error by name)', async () => {
    const { code, err } = await run(['verify', path('tampered.json')])
    expect(code).toBe(1)
    expect(err.join('\n')).toMatch(/^ReceiptSignatureError: /)
  })

  it('re-runs the task here and finds the same bytes, exit and fuel', async () => {
    const { code, out } = await run(['verify', path('receipt.json'), '--rerun', '--module', MODULE, '--stdin', path('input.csv')])
    expect(code).toBe(0)
    expect(out.filter(line => line.startsWith('same\t')).map(line => line.split('\t')[1])).toEqual(['status', 'exitCode', 'outputHash', 'stderrHash', 'outputFilesHash', 'fuelUsed'])
    expect(out.at(-1)).toMatch(/^valid, and the re-run here gives the same result/)
  }, 60_000)

  it('finds out a validly signed receipt over output the module does not give (exit 1)', async () => {
    const { code, out } = await run(['verify', path('lie.json'), '--rerun', '--module', MODULE, '--stdin', path('input.csv'), '--json'])
    expect(code).toBe(1)
    const report = JSON.parse(out[0]!) as { valid: boolean, same: boolean, comparisons: Array<{ field: string, same: boolean }> }
    expect(report).toMatchObject({ valid: true, same: false })
    expect(report.comparisons.filter(c => !c.same).map(c => c.field)).toEqual(['outputHash'])
  }, 60_000)

  it('will not re-run with inputs the receipt does not name, or without the module (exit 2)', async () => {
    const other = await run(['verify', path('receipt.json'), '--rerun', '--module', MODULE, '--stdin', path('other.csv')])
    expect(other.code).toBe(2)
    expect(other.err[0]).toMatch(/the stdin given is not the one the receipt names/)
    expect((await run(['verify', path('receipt.json'), '--rerun'])).code).toBe(2)
    expect((await run(['verify', path('missing.json')])).code).toBe(2)
    expect((await run(['verify'])).code).toBe(2)
  }, 60_000)

  it('checks a workflow record as verify-workflow does', async () => {
    const { code, out } = await run(['verify', path('record.json'), '--spec', path('spec.yaml')])
    expect(code).toBe(0)
    expect(out.at(-1)).toMatch(/^valid: workflow record of run wf-run-1 .* spec matches$/)
  })
})
