/**
 * `zerostate verify-workflow`: a signed record checked from files, with its
 * receipts and spec; refusals exit 1 with the error's name, bad arguments 2.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyWorkflowCommand } from '../../../src/cli/verify-workflow.ts'
import { signWorkflowRecord, workflowRecordOf } from '../../../src/orchestration/workflow/run-record/index.ts'
import { receiptHash } from '../../../src/receipts/index.ts'
import { SPEC, T0, buildFixture } from '../orchestration/workflow/run-record-fixture.ts'

const CLI = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'zerostate.ts')

/** Runs the command in this process, collecting what it prints. */
async function run (argv: string[]): Promise<{ code: number, out: string[], err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await verifyWorkflowCommand(argv, { out: line => out.push(line), err: line => err.push(line), now: () => T0 + 60_000 })
  return { code, out, err }
}

describe('zerostate verify-workflow', () => {
  let dir: string
  const path = (name: string): string => join(dir, name)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zerostate-verify-workflow-'))
    const fx = await buildFixture()
    const receipts = [...fx.receipts, fx.memo]
    const executorOf = (hash: string): string | undefined => receipts.find(r => receiptHash(r) === hash)?.executor
    const record = await signWorkflowRecord(workflowRecordOf({ run: fx.run, events: fx.events, outputs: fx.outputs, submitter: fx.submitter, executorOf }), fx.submitter)
    await writeFile(path('record.json'), JSON.stringify(record, null, 2))
    await writeFile(path('tampered.json'), JSON.stringify({ ...record, state: 'failed' }))
    await writeFile(path('spec.yaml'), SPEC)
    await writeFile(path('other.yaml'), `${SPEC}# edited\n`)
    // One receipt alone in its file, the others as an array.
    await writeFile(path('first.json'), JSON.stringify(receipts[0]))
    await writeFile(path('rest.json'), JSON.stringify(receipts.slice(1)))
    await writeFile(path('most.json'), JSON.stringify(receipts.slice(1, -1)))
  })

  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it('checks the record, its spec and every step\'s receipt', async () => {
    const { code, out, err } = await run([path('record.json'), path('first.json'), path('rest.json'), '--spec', path('spec.yaml')])
    expect(err).toEqual([])
    expect(code).toBe(0)
    expect(out.slice(0, -1).map(line => line.split('\t').slice(0, 3).join(' '))).toEqual([
      'split completed receipt verified',
      'detect[0] completed receipt verified',
      'detect[1] completed receipt verified',
      'detect[2] completed receipt verified',
      'count completed receipt verified',
      'archive skipped receipt none'
    ])
    expect(out.at(-1)).toMatch(/^valid: workflow record of run wf-run-1 \(completed\) .*6 step entries, 5 receipts verified, spec matches$/)
  })

  it('exits 1 with the error\'s name when the record or a step is refused', async () => {
    expect(await run([path('tampered.json')])).toMatchObject({ code: 1, err: [expect.stringMatching(/^WorkflowRecordSignatureError: /)] })
    expect(await run([path('record.json'), '--spec', path('other.yaml')])).toMatchObject({ code: 1, err: [expect.stringMatching(/^WorkflowRecordSpecMismatchError: /)] })
    expect(await run([path('record.json'), path('first.json'), path('most.json')]))
      .toMatchObject({ code: 1, err: [expect.stringMatching(/^WorkflowRecordReceiptMissingError: .*detect\[1\]/)] })
  })

  it('exits 2 for bad arguments and unreadable files', async () => {
    expect((await run([])).code).toBe(2)
    expect((await run([path('missing.json')])).code).toBe(2)
    expect((await run([path('spec.yaml')])).code).toBe(2) // not JSON
    expect((await run([path('record.json'), '--bogus'])).code).toBe(2)
  })

  it('is wired into the zerostate command', async () => {
    // The flags of the command's shebang: the workflow spec code needs more than type stripping.
    const flags = ['--experimental-transform-types', '--disable-warning=ExperimentalWarning']
    const child = spawn(process.execPath, [...flags, CLI, 'verify-workflow', path('record.json')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    const code = await new Promise(resolve => child.once('close', resolve))
    expect(code).toBe(0)
    expect(stdout).toMatch(/valid: workflow record of run wf-run-1 .*receipts not checked, spec not checked/)
  }, 30_000)
})
