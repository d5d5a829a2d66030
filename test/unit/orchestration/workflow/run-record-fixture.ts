/**
 * A finished workflow run for the workflow record's tests (run-record.test.ts,
 * cli/verify-workflow.test.ts): a real scheduler log with a fan-out, a retry,
 * a reused memo and a skipped step, and real signed receipts for each result.
 */
import { expect } from 'vitest'
import { bytesToBase64Url, hexToBytes, sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { filesHash, receiptHash, signReceipt } from '../../../../src/receipts/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'
import { MEMO_EXECUTOR } from '../../../../src/orchestration/workflow/runner/index.ts'
import { WorkflowRun } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import type { RunEvent, StepAction } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import { parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { WorkflowRunRecord } from '../../../../src/orchestration/workflow/records.ts'
import { exampleUnsigned, recharged } from '../../receipts/fixtures.ts'

export const SPEC = `version: 1
name: count-languages
inputs:
  text: { type: text }
  options: { type: json }
  photo: { type: bytes }
  extra: { type: files }
dag:
  tasks:
    - name: split
      module: echo
      stdin: "\${{ inputs.text }}"
    - name: detect
      module: lang-detect
      forEach: steps.split.json.chunks
      stdin: "\${{ item }}"
      retry: { limit: 2, backoff: { initialMs: 10, factor: 1, maxMs: 10 } }
    - name: count
      module: echo
      depends: detect.AnySucceeded
      stdin: "\${{ steps.detect.items }}"
    - name: archive
      module: gzip
      depends: count.Succeeded
      when: steps.count.json.total > 10000
      stdin: "\${{ inputs.text }}"
outputs:
  total: "\${{ steps.count.json.total }}"
  countsFile: "\${{ steps.count.files[\\"counts.json\\"] }}"
`

export const SEED_HEX = '11'.repeat(32)
export const PHOTO_HASH = sha256Hex(utf8ToBytes('photo bytes'))
export const EXTRA = { 'a.txt': sha256Hex(utf8ToBytes('a')), 'b.txt': sha256Hex(utf8ToBytes('b')) }
export const INPUTS = { text: 'hello\nbonjour\nhallo', options: { b: 1, a: [true, null] }, photo: { blob: PHOTO_HASH }, extra: { files: EXTRA } }
export const T0 = 1_767_225_600_000

export interface Fixture {
  submitter: PeerIdentity
  a: PeerIdentity
  b: PeerIdentity
  run: WorkflowRunRecord
  events: RunEvent[]
  outputs: ReturnType<WorkflowRun['outputs']>
  receipts: Receipt[]
  /** The earlier run's receipt that detect[1] reuses. */
  memo: Receipt
}

/** A receipt of `executor` for `submitter`, with this stdout and these output files, under the run's seed. */
export async function receiptFor (executor: PeerIdentity, submitter: PeerIdentity, taskId: string, stdout: string, files: Record<string, string> = {}): Promise<Receipt> {
  const unsigned = recharged({
    ...exampleUnsigned(executor, submitter),
    taskId,
    seed: bytesToBase64Url(hexToBytes(SEED_HEX)),
    outputHash: sha256Hex(utf8ToBytes(stdout)),
    outputFilesHash: filesHash(Object.entries(files).map(([path, text]) => [path, utf8ToBytes(text)] as [string, Uint8Array]))
  })
  return signReceipt(unsigned, executor)
}

export const hashes = (files: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(files).map(([path, text]) => [path, sha256Hex(utf8ToBytes(text))]))

/** Drives a real scheduler through the run, as the runner would, and keeps the log. */
export async function buildFixture (): Promise<Fixture> {
  const [submitter, a, b] = await Promise.all([createIdentity(new Uint8Array(32).fill(7)), createIdentity(new Uint8Array(32).fill(8)), createIdentity(new Uint8Array(32).fill(9))])
  const run = new WorkflowRun(parseWorkflowSpec(SPEC), INPUTS, 'wf-run-1')
  const receipts: Receipt[] = []
  let now = T0
  const memo = await receiptFor(a, submitter, 'earlier-run-detect-1', '{"lang":"fra"}')
  const where = (action: StepAction): { step: string, item?: number } => ({ step: action.step, ...(action.item === undefined ? {} : { item: action.item }) })
  const start = (action: StepAction, executor?: string): void => {
    run.apply({ type: action.attempt === 1 ? 'scheduled' : 'retried', at: now, ...where(action) })
    run.apply({ type: 'started', at: ++now, ...where(action), attempt: action.attempt, ...(executor === undefined ? {} : { executor }) })
  }
  const succeed = async (action: StepAction, executor: PeerIdentity, stdout: string, files: Record<string, string> = {}): Promise<void> => {
    start(action)
    const receipt = await receiptFor(executor, submitter, `wf-run-1-${action.step}-${action.item ?? 'x'}-${action.attempt}`, stdout, files)
    receipts.push(receipt)
    run.apply({
      type: 'succeeded', at: ++now, ...where(action), attempt: action.attempt,
      outputs: { stdout, stdoutHash: sha256Hex(utf8ToBytes(stdout)), files: hashes(files) },
      receiptHash: receiptHash(receipt), executor: executor.peerId.toString()
    })
  }
  const next = (): StepAction[] => run.next(++now)

  await succeed(next()[0]!, a, '{"chunks":["hello","bonjour","hallo"]}')
  const detect = next()
  expect(detect.map(action => action.item)).toEqual([0, 1, 2])
  // detect[0]: the first attempt traps, the retry succeeds on b.
  start(detect[0]!)
  run.apply({ type: 'failed', at: ++now, step: 'detect', item: 0, attempt: 1, error: { name: 'TrapError', message: 'unreachable' }, retryable: true })
  // detect[1]: reused from an earlier run's verified receipt (the runner's memo).
  start(detect[1]!, MEMO_EXECUTOR)
  run.apply({
    type: 'succeeded', at: ++now, step: 'detect', item: 1, attempt: 1, executor: MEMO_EXECUTOR, receiptHash: receiptHash(memo),
    outputs: { stdout: '{"lang":"fra"}', stdoutHash: sha256Hex(utf8ToBytes('{"lang":"fra"}')), files: {} }
  })
  await succeed(detect[2]!, a, '{"lang":"deu"}', { 'out.txt': 'deu\n' })
  now += 20
  const retry = next()
  expect(retry).toMatchObject([{ step: 'detect', item: 0, attempt: 2 }])
  await succeed(retry[0]!, b, '{"lang":"eng"}')
  await succeed(next()[0]!, b, '{"total":3}', { 'counts.json': '{"eng":1,"fra":1,"deu":1}' })
  expect(next()).toEqual([]) // archive: its when is false, so the scheduler logs it skipped
  expect(run.state).toBe('completed')
  const record: WorkflowRunRecord = {
    runId: 'wf-run-1', specText: SPEC, specHash: sha256Hex(utf8ToBytes(SPEC)), inputs: INPUTS, seedHex: SEED_HEX, state: 'completed', createdAt: T0 - 5, updatedAt: now
  }
  return { submitter, a, b, run: record, events: run.events, outputs: run.outputs(), receipts, memo }
}
