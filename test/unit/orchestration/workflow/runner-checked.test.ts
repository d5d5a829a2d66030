/**
 * A workflow's steps checked as single tasks are (issue 16):
 * src/peer/workflows.ts over the real TaskDispatch (ranking by standing),
 * TaskVerification and TaskAccountability, between real libp2p nodes in
 * Node and the real sandbox (test/support/checked-mesh.ts). The cheater is
 * first in the mesh's order, so the first step lands on it; it returns a
 * forged output with a receipt that verifies.
 */
import { describe, expect, it } from 'vitest'
import { sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { verifyWorkflowRecord } from '../../../../src/orchestration/workflow/run-record/index.ts'
import { MEMO_EXECUTOR } from '../../../../src/orchestration/workflow/runner/index.ts'
import type { WorkflowRunner } from '../../../../src/orchestration/workflow/runner/index.ts'
import type { RunEvent } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import { signedWorkflowRecord } from '../../../../src/peer/workflow-record.ts'
import { resumeWorkflowRun, startWorkflowRun } from '../../../../src/peer/workflows.ts'
import { receiptHash } from '../../../../src/receipts/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'
import { DEFAULT_MIN_CHECKER_CONFIRMED } from '../../../../src/trust/verification/index.ts'
import { FORGED_OUTPUT, checkedMeshSuite } from '../../../support/checked-mesh.ts'
import type { CheckedSubmitter, ExecutorPeer } from '../../../support/checked-mesh.ts'

type SucceededEvent = Extract<RunEvent, { type: 'succeeded' }>

let honest: ExecutorPeer[]
let cheater: ExecutorPeer
let checker: ExecutorPeer

const SPEC = `
version: 1
name: checked-steps
inputs:
  text:
    type: text
dag:
  tasks:
    - name: first
      module: echo
      stdin: "\${{ inputs.text }}"
    - name: second
      module: sha256
      stdin: "\${{ steps.first.stdout }}"
outputs:
  echoed: "\${{ steps.first.stdout }}"
  digest: "\${{ steps.second.stdout }}"
`

const mesh = checkedMeshSuite(['echo', 'sha256'], async ({ executor }) => {
  honest = [await executor(), await executor()]
  cheater = await executor({ honestRuns: 0 })
  checker = await executor()
})

const digestOf = (text: string): string => sha256Hex(utf8ToBytes(text))
const hashes = { echo: (): string => sha256Hex(mesh.modules.echo), sha256: (): string => sha256Hex(mesh.modules.sha256) }

/** The run's `succeeded` events by step, from the submitter's store (the log a resume replays). */
async function succeeded (s: CheckedSubmitter, runId: string): Promise<Map<string, SucceededEvent>> {
  const events = await s.ctx.store.listRunEvents(runId) as RunEvent[]
  return new Map(events.filter((e): e is SucceededEvent => e.type === 'succeeded').map(e => [e.step, e]))
}

/** The kept receipt a logged success names. */
function receiptOf (s: CheckedSubmitter, event: SucceededEvent): Receipt {
  const receipt = s.kept.find(r => receiptHash(r) === event.receiptHash)
  expect(receipt).toBeDefined()
  return receipt!
}

/** The run's signed record, checked against the receipts the submitter kept and the spec: each step's executor, from its receipt. */
async function checkedRecord (s: CheckedSubmitter, runId: string): Promise<Map<string, string | null>> {
  const record = await signedWorkflowRecord(s.ctx, runId)
  const report = await verifyWorkflowRecord(record, { now: Date.now(), receipts: s.kept, specText: SPEC })
  expect(report.steps.map(step => step.receipt)).toEqual(['verified', 'verified'])
  return new Map(report.steps.map(step => [step.name, step.executor]))
}

/** Stops `runner` once step `step`'s success is logged (a reload, as far as the run can tell). */
async function stopAfter (runner: WorkflowRunner, step: string): Promise<void> {
  await new Promise<void>(resolve => {
    runner.addEventListener('step', event => {
      const logged = (event as unknown as { detail: { event: RunEvent } }).detail.event
      if (logged.type === 'succeeded' && logged.step === step) resolve()
    })
  })
  await runner.stop()
}

describe('a workflow\'s steps, checked', () => {
  it('sends a step shown wrong to another executor: the output is right, and the record holds only the checked receipts', async () => {
    const s = await mesh.submitter([cheater, ...honest])
    const text = 'a workflow step checked by its submitter'
    const { runner } = await startWorkflowRun(s.ctx, SPEC, { text })
    const result = await runner.result()

    expect(result.state).toBe('completed')
    expect(result.outputs).toEqual({ echoed: text, digest: expect.any(String) })
    expect(String(result.outputs!.digest).trim()).toBe(digestOf(text))
    // The first step landed on the cheater, whose own re-run by this peer contradicted it; it ran again elsewhere.
    const cheated = cheater.executed.filter(taskId => taskId.startsWith(runner.runId))
    expect(cheated).toHaveLength(1)
    expect(s.verification.book.record(cheater.peerId)).toMatchObject({ contradicted: 1, confirmed: 0 })
    const steps = await succeeded(s, runner.runId)
    const first = receiptOf(s, steps.get('first')!)
    expect(first.taskId).toBe(`${cheated[0]}-r1`)
    expect(honest.map(peer => peer.peerId)).toContain(first.executor)
    expect(steps.get('first')!.executor).toBe(first.executor)
    // Neither the log, nor the kept receipts, nor the payments hold anything of the cheater.
    expect([...steps.values()].map(e => e.executor)).not.toContain(cheater.peerId)
    expect(s.kept.filter(r => r.executor === cheater.peerId)).toEqual([])
    expect(s.paid.filter(r => r.executor === cheater.peerId)).toEqual([])
    // Each kept as owed (no guild here), so that a tab closed before its payment has its next start pay it.
    expect(s.keptPayments).toEqual(s.kept.map(() => 'owed'))
    // Each kept step paid once (a newcomer's payment waits for its check).
    expect(s.paid.map(r => r.taskId).sort()).toEqual([...steps.values()].map(e => receiptOf(s, e).taskId).sort())
    // The signed record's receipts are those checked ones.
    const executors = await checkedRecord(s, runner.runId)
    expect([...executors.values()]).not.toContain(cheater.peerId)
    expect(executors.get('first')).toBe(first.executor)
    // Three checks in this peer's sandbox: the cheater's first step, the honest re-run of it, and the second step.
    expect(s.ownRuns).toEqual([hashes.echo(), hashes.echo(), hashes.sha256()])
  }, 120_000)

  it('keeps a trusted checker\'s result for a step it showed wrong, and a resumed run checks no logged step again', async () => {
    // Every task is checked (the draw is 0). The checker has been confirmed often enough to re-run others' tasks, and
    // the cheater once more (a camouflaged one, honest until now): the ranking puts it first, so the first step lands on it.
    const s = await mesh.submitter([cheater, checker, honest[0]!], { random: () => 0 })
    for (let i = 0; i < DEFAULT_MIN_CHECKER_CONFIRMED; i++) s.verification.confirm(checker.peerId)
    for (let i = 0; i <= DEFAULT_MIN_CHECKER_CONFIRMED; i++) s.verification.confirm(cheater.peerId)
    const text = 'checked by a trusted peer, then resumed'
    const { runner } = await startWorkflowRun(s.ctx, SPEC, { text })
    await stopAfter(runner, 'first')

    const before = await succeeded(s, runner.runId)
    const first = receiptOf(s, before.get('first')!)
    expect(first.executor).toBe(checker.peerId)
    const cheated = cheater.executed.filter(taskId => taskId.startsWith(runner.runId))
    expect(cheated).toHaveLength(1)
    expect(first.taskId).toBe(`${cheated[0]}-check`)
    expect(s.paid.filter(r => r.executor === cheater.peerId)).toEqual([])
    const echoRuns = s.ownRuns.filter(hash => hash === hashes.echo()).length
    const echoTasks = (): string[] => [cheater, checker, honest[0]!].flatMap(peer => peer.executed.filter(taskId => taskId.startsWith(`${runner.runId}-first`)))
    const firstTasks = echoTasks().length

    const resumed = await resumeWorkflowRun(s.ctx, runner.runId)
    const result = await resumed.runner.result()
    expect(result.state).toBe('completed')
    expect(result.outputs?.echoed).toBe(text)
    expect(String(result.outputs!.digest).trim()).toBe(digestOf(text))
    // The first step is the log's: neither run nor checked again.
    expect(echoTasks()).toHaveLength(firstTasks)
    expect(s.ownRuns.filter(hash => hash === hashes.echo())).toHaveLength(echoRuns)
    const after = await succeeded(s, runner.runId)
    expect(after.get('first')!.receiptHash).toBe(before.get('first')!.receiptHash)
    const executors = await checkedRecord(s, runner.runId)
    expect(executors.get('first')).toBe(checker.peerId)
    expect([...executors.values()]).not.toContain(cheater.peerId)
    expect(s.kept.filter(r => r.executor === cheater.peerId)).toEqual([])
  }, 120_000)

  it('checks no step with verify: false, and then the cheater\'s forged output becomes the step\'s (the check is what stops it)', async () => {
    const s = await mesh.submitter([cheater, ...honest])
    const { runner } = await startWorkflowRun(s.ctx, SPEC, { text: 'unchecked' }, { verify: false })
    const result = await runner.result()
    expect(result.state).toBe('completed')
    expect(result.outputs?.echoed).toBe(FORGED_OUTPUT)
    expect(s.ownRuns).toEqual([])
    const steps = await succeeded(s, runner.runId)
    expect(steps.get('first')!.executor).toBe(cheater.peerId)
    expect(s.paid.filter(r => r.executor === cheater.peerId).length).toBeGreaterThan(0)
  }, 120_000)

  it('does not reuse the forged output an unchecked run with the same seed memoized: a run that checks runs the step again, and checks it', async () => {
    const s = await mesh.submitter([cheater, ...honest])
    const seed = new Uint8Array(32).fill(9)
    const text = 'memoized unchecked, then checked'
    const unchecked = await (await startWorkflowRun(s.ctx, SPEC, { text }, { verify: false, seed })).runner.result()
    expect(unchecked.outputs?.echoed).toBe(FORGED_OUTPUT)

    const { runner } = await startWorkflowRun(s.ctx, SPEC, { text }, { seed })
    const result = await runner.result()
    expect(result.state).toBe('completed')
    expect(result.outputs?.echoed).toBe(text)
    expect(String(result.outputs!.digest).trim()).toBe(digestOf(text))
    const steps = await succeeded(s, runner.runId)
    expect([...steps.values()].map(e => e.executor)).not.toContain(MEMO_EXECUTOR)
    expect(s.ownRuns).toContain(hashes.echo())
    expect(s.verification.book.record(cheater.peerId).contradicted).toBe(1)
  }, 120_000)
})
