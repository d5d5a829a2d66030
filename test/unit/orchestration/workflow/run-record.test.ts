/**
 * The signed workflow record (docs/workflow-record.md): built from a real
 * scheduler log (fan-out, a retry, a reused memo, a skipped step), signed
 * with a real identity and verified against real signed receipts; every kind
 * of tampering is refused with its own error.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url, canonicalize, sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { filesHash, receiptHash } from '../../../../src/receipts/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'
import {
  MAX_WORKFLOW_RECORD_BYTES, WORKFLOW_RECORD_KIND, filesHashOfHashes, outputHashOf, parseWorkflowRecord, signWorkflowRecord,
  verifyWorkflowRecord, workflowRecordOf
} from '../../../../src/orchestration/workflow/run-record/index.ts'
import type { UnsignedWorkflowRecord, WorkflowRecord } from '../../../../src/orchestration/workflow/run-record/index.ts'
import { INPUTS, PHOTO_HASH, SEED_HEX, SPEC, T0, buildFixture, receiptFor } from './run-record-fixture.ts'
import type { Fixture } from './run-record-fixture.ts'

let fx: Fixture
let unsigned: UnsignedWorkflowRecord
let signed: WorkflowRecord
const NOW = T0 + 60_000
const allReceipts = (): Receipt[] => [...fx.receipts, fx.memo]
const executorOf = (hash: string): string | undefined => allReceipts().find(r => receiptHash(r) === hash)?.executor

beforeAll(async () => {
  fx = await buildFixture()
  unsigned = workflowRecordOf({ run: fx.run, events: fx.events, outputs: fx.outputs, submitter: fx.submitter, executorOf })
  signed = await signWorkflowRecord(unsigned, fx.submitter)
})

describe('workflowRecordOf', () => {
  it('lists every step and item of the log, in spec then item order', () => {
    const [a, b] = [fx.a.peerId.toString(), fx.b.peerId.toString()]
    expect(unsigned).toMatchObject({
      kind: WORKFLOW_RECORD_KIND, runId: 'wf-run-1', submitter: fx.submitter.peerId.toString(), publicKey: bytesToBase64Url(fx.submitter.publicKey),
      specHash: sha256Hex(utf8ToBytes(SPEC)), seedHex: SEED_HEX, state: 'completed', createdAt: T0 - 5
    })
    expect(unsigned.steps.map(step => [step.name, step.item, step.state, step.attempts, step.executor, step.memoized])).toEqual([
      ['split', undefined, 'completed', 1, a, undefined],
      ['detect', 0, 'completed', 2, b, undefined],
      ['detect', 1, 'completed', 1, a, true],
      ['detect', 2, 'completed', 1, a, undefined],
      ['count', undefined, 'completed', 1, b, undefined],
      ['archive', undefined, 'skipped', 0, null, undefined]
    ])
    const detect2 = unsigned.steps[3]!
    expect(detect2).toMatchObject({ stdoutHash: sha256Hex(utf8ToBytes('{"lang":"deu"}')), files: { 'out.txt': sha256Hex(utf8ToBytes('deu\n')) } })
    expect(detect2.startedAt).toBeLessThan(detect2.finishedAt!)
    expect(unsigned.steps[5]).toMatchObject({ receiptHash: null, stdoutHash: null, files: {}, startedAt: null })
    expect(unsigned.steps[2]!.receiptHash).toBe(receiptHash(fx.memo))
    expect(unsigned.finishedAt).toBe(Math.max(...fx.events.map(event => event.at)))
  })

  it('hashes inputs by type and outputs by what they resolve to', () => {
    expect(unsigned.inputHashes).toEqual({
      text: sha256Hex(utf8ToBytes(INPUTS.text)),
      options: sha256Hex(utf8ToBytes('{"a":[true,null],"b":1}')),
      photo: PHOTO_HASH,
      extra: filesHash([['b.txt', utf8ToBytes('b')], ['a.txt', utf8ToBytes('a')]])
    })
    expect(unsigned.outputs).toEqual({
      total: sha256Hex(utf8ToBytes('3')),
      countsFile: sha256Hex(utf8ToBytes('{"eng":1,"fra":1,"deu":1}'))
    })
    expect(outputHashOf([{ kind: 'text', text: 'n=' }, { kind: 'blob', hash: PHOTO_HASH }]))
      .toBe(sha256Hex(utf8ToBytes(canonicalize([{ kind: 'text', text: 'n=' }, { kind: 'blob', hash: PHOTO_HASH }]))))
    expect(filesHashOfHashes({})).toBe('4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945')
  })

  it('passes over event types it does not know, and names no executor for a reuse it cannot resolve', () => {
    const events = [...fx.events.slice(0, 3), { type: 'something-newer', at: fx.events[2]!.at, step: 'split', attempt: 1 }, ...fx.events.slice(3)]
    const again = workflowRecordOf({ run: fx.run, events, outputs: fx.outputs, submitter: fx.submitter, executorOf })
    expect(again).toEqual(unsigned)
    const blind = workflowRecordOf({ run: fx.run, events: fx.events, outputs: fx.outputs, submitter: fx.submitter })
    expect(blind.steps[2]).toMatchObject({ memoized: true, executor: null, receiptHash: receiptHash(fx.memo) })
  })

  it('records a canceled run: a failure waiting for its retry is canceled, a step never reached too, and there are no outputs', () => {
    const cut = fx.events.findIndex(event => event.type === 'failed')
    const events: unknown[] = [...fx.events.slice(0, cut + 1), { type: 'canceled', at: fx.events[cut]!.at + 1 }]
    const record = workflowRecordOf({ run: { ...fx.run, state: 'working' }, events, submitter: fx.submitter })
    expect(record.state).toBe('canceled')
    expect(record.outputs).toEqual({})
    expect(record.steps.map(step => [step.name, step.item, step.state])).toEqual([
      ['split', undefined, 'completed'],
      // Items 1 and 2 were not scheduled yet: the log does not mention them, so neither does the record.
      ['detect', 0, 'canceled'],
      ['count', undefined, 'canceled'],
      ['archive', undefined, 'canceled']
    ])
    expect(record.steps[2]).toMatchObject({ attempts: 0, startedAt: null, finishedAt: fx.events[cut]!.at + 1 })
  })

  it('refuses a run that has not ended, and a log naming a step the spec lacks', () => {
    expect(() => workflowRecordOf({ run: { ...fx.run, state: 'working' }, events: fx.events.slice(0, 4), submitter: fx.submitter }))
      .toThrow(expect.objectContaining({ name: 'WorkflowRecordBuildError' }))
    expect(() => workflowRecordOf({ run: fx.run, events: [{ type: 'scheduled', at: T0, step: 'nope' }], submitter: fx.submitter }))
      .toThrow(expect.objectContaining({ name: 'WorkflowRecordBuildError' }))
  })
})

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection (promise: Promise<unknown>): Promise<Error & { field?: string, step?: string, item?: number }> {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

const verify = async (record: unknown, options: { specText?: string, receipts?: unknown[], now?: number } = {}) =>
  verifyWorkflowRecord(record, { now: NOW, ...options })

describe('signWorkflowRecord and verifyWorkflowRecord', () => {
  it('verifies the record, its spec and every step\'s receipt', async () => {
    const report = await verify(JSON.parse(JSON.stringify(signed)), { specText: SPEC, receipts: [...allReceipts(), { not: 'a receipt' }] })
    expect(report.specChecked).toBe(true)
    expect(report.receiptsChecked).toBe(true)
    expect(report.steps.map(step => step.receipt)).toEqual(['verified', 'verified', 'verified', 'verified', 'verified', 'none'])
    expect(report.steps[2]).toMatchObject({ name: 'detect', item: 1, executor: fx.a.peerId.toString() })
    expect(report.record).toEqual(signed)
  })

  it('verifies without spec or receipts, saying what it did not check', async () => {
    const report = await verify(signed)
    expect([report.specChecked, report.receiptsChecked]).toEqual([false, false])
    expect(report.steps.map(step => step.receipt)).toEqual(['not-checked', 'not-checked', 'not-checked', 'not-checked', 'not-checked', 'none'])
  })

  it('takes the executor of a reused result from its receipt when the record names none', async () => {
    const blind = await signWorkflowRecord(workflowRecordOf({ run: fx.run, events: fx.events, outputs: fx.outputs, submitter: fx.submitter }), fx.submitter)
    const report = await verify(blind, { receipts: allReceipts() })
    expect(report.steps[2]).toMatchObject({ executor: fx.a.peerId.toString(), receipt: 'verified' })
  })

  const otherPeer = '12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf'
  const tampered: Array<[string, (record: Record<string, any>) => void]> = [
    ['runId', r => { r.runId = 'wf-run-2' }],
    ['specHash', r => { r.specHash = sha256Hex(utf8ToBytes('other')) }],
    ['an input hash', r => { r.inputHashes.text = sha256Hex(utf8ToBytes('other')) }],
    ['seedHex', r => { r.seedHex = '22'.repeat(32) }],
    ['state', r => { r.state = 'failed' }],
    ['a step state', r => { r.steps[5].state = 'failed' }],
    ['a step executor', r => { r.steps[1].executor = otherPeer }],
    ['a receipt hash', r => { r.steps[0].receiptHash = sha256Hex(utf8ToBytes('other')) }],
    ['a stdout hash', r => { r.steps[3].stdoutHash = sha256Hex(utf8ToBytes('other')) }],
    ['an output file', r => { r.steps[3].files['out.txt'] = sha256Hex(utf8ToBytes('other')) }],
    ['the memo flag', r => { delete r.steps[2].memoized }],
    ['attempts', r => { r.steps[1].attempts = 1 }],
    ['a step time', r => { r.steps[1].finishedAt += 1 }],
    ['a dropped step', r => { r.steps.splice(4, 1) }],
    ['an output hash', r => { r.outputs.total = sha256Hex(utf8ToBytes('4')) }],
    ['createdAt', r => { r.createdAt -= 1 }]
  ]
  for (const [what, change] of tampered) {
    it(`refuses the record with ${what} changed: WorkflowRecordSignatureError`, async () => {
      const copy = JSON.parse(JSON.stringify(signed)) as Record<string, any>
      change(copy)
      expect((await rejection(verify(copy))).name).toBe('WorkflowRecordSignatureError')
    })
  }

  it('refuses a key that is not the submitter\'s, and signing as someone else', async () => {
    expect((await rejection(verify({ ...signed, submitter: fx.a.peerId.toString() }))).name).toBe('WorkflowRecordKeyMismatchError')
    expect((await rejection(signWorkflowRecord(unsigned, fx.a))).name).toBe('WorkflowRecordKeyMismatchError')
  })

  it('refuses malformed records by field', async () => {
    const cases: Array<[string, (record: Record<string, any>) => void]> = [
      ['kind', r => { r.kind = 'zerostate/workflow-record/3' }],
      ['extra', r => { r.extra = 1 }],
      ['steps[0].receiptHash', r => { r.steps[0].receiptHash = 'ABC' }],
      ['steps[5].receiptHash', r => { r.steps[5].receiptHash = sha256Hex(utf8ToBytes('x')) }],
      ['steps[0].stdoutHash', r => { r.steps[0].stdoutHash = null }],
      ['steps[2].memoized', r => { r.steps[2].memoized = false }],
      ['steps[2]', r => { r.steps[1].item = 1 }], // then steps[2] repeats detect[1]
      ['steps[0].state', r => { r.steps[0].state = 'working' }],
      ['seedHex', r => { r.seedHex = 'AB'.repeat(32) }],
      ['finishedAt', r => { r.finishedAt = r.createdAt - 1 }]
    ]
    for (const [field, change] of cases) {
      const copy = JSON.parse(JSON.stringify(signed)) as Record<string, any>
      change(copy)
      const err = await rejection(verify(copy))
      expect([err.name, err.field]).toEqual(['InvalidWorkflowRecordError', field])
    }
  })

  it('refuses a record dated ahead of the verifier\'s clock', async () => {
    expect((await rejection(verify(signed, { now: signed.finishedAt - 10 * 60_000 }))).name).toBe('WorkflowRecordNotYetValidError')
  })

  it(`refuses a record over ${MAX_WORKFLOW_RECORD_BYTES} bytes before anything else`, () => {
    const step = { state: 'skipped', attempts: 0, executor: null, receiptHash: null, stdoutHash: null, files: {}, startedAt: null, finishedAt: null }
    const steps = Array.from({ length: 64 * 1000 }, (_, i) => ({ ...step, name: `s${String(i % 64).padStart(63, '0')}`, item: Math.floor(i / 64) }))
    expect(() => parseWorkflowRecord({ ...signed, steps })).toThrow(expect.objectContaining({ name: 'WorkflowRecordTooLargeError' }))
  })

  it('refuses a spec text other than the one the record names', async () => {
    expect((await rejection(verify(signed, { specText: SPEC + '# changed\n' }))).name).toBe('WorkflowRecordSpecMismatchError')
    const other = SPEC.replace('name: archive', 'name: compress')
    const resigned = await signWorkflowRecord({ ...unsigned, specHash: sha256Hex(utf8ToBytes(other)) }, fx.submitter)
    expect((await rejection(verify(resigned, { specText: other }))).name).toBe('WorkflowRecordSpecMismatchError')
  })
})

describe('checking the steps against their receipts', () => {
  /** The record re-signed by its submitter after `change`: authentic, but lying about a step. */
  async function resigned (change: (record: UnsignedWorkflowRecord) => void): Promise<WorkflowRecord> {
    const copy = JSON.parse(JSON.stringify(unsigned)) as UnsignedWorkflowRecord
    change(copy)
    return signWorkflowRecord(copy, fx.submitter)
  }

  it('refuses when a step\'s receipt is not among those given', async () => {
    const err = await rejection(verify(signed, { receipts: allReceipts().filter(r => r !== fx.memo) }))
    expect([err.name, err.step, err.item]).toEqual(['WorkflowRecordReceiptMissingError', 'detect', 1])
  })

  it('refuses a step whose executor is not the one its receipt names', async () => {
    const record = await resigned(r => { r.steps[1]!.executor = fx.a.peerId.toString() })
    const err = await rejection(verify(record, { receipts: allReceipts() }))
    expect([err.name, err.step, err.item, err.field]).toEqual(['WorkflowRecordReceiptMismatchError', 'detect', 0, 'executor'])
  })

  it('refuses a step whose stdout hash or output files are not its receipt\'s', async () => {
    const stdout = await resigned(r => { r.steps[4]!.stdoutHash = sha256Hex(utf8ToBytes('{"total":4}')) })
    expect((await rejection(verify(stdout, { receipts: allReceipts() }))).field).toBe('outputHash')
    const files = await resigned(r => { r.steps[3]!.files = {} })
    expect((await rejection(verify(files, { receipts: allReceipts() }))).field).toBe('outputFilesHash')
  })

  it('refuses receipts of another submitter or another seed', async () => {
    const record = await resigned(r => { r.seedHex = '22'.repeat(32) })
    expect((await rejection(verify(record, { receipts: allReceipts() }))).field).toBe('seed')
    const foreign = await receiptFor(fx.a, fx.b, 'someone-elses', '{"lang":"fra"}')
    const stolen = await resigned(r => { r.steps[2]!.receiptHash = receiptHash(foreign) })
    expect((await rejection(verify(stolen, { receipts: [...allReceipts(), foreign] }))).field).toBe('submitter')
  })

  it('refuses a step naming a receipt whose own signature does not verify', async () => {
    const good = fx.receipts[0]!
    const forged = { ...good, signature: bytesToBase64Url(new Uint8Array(64).fill(1)) }
    const record = await resigned(r => { r.steps[0]!.receiptHash = receiptHash(forged) })
    const err = await rejection(verify(record, { receipts: [...allReceipts(), forged] }))
    expect([err.name, err.step, (err.cause as Error).name]).toEqual(['WorkflowRecordReceiptInvalidError', 'split', 'ReceiptSignatureError'])
  })
})
