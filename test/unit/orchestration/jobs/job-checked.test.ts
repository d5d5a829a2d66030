/**
 * A job's slices checked as single tasks are (issue 16, "Trust at 50 %
 * malicious"): src/peer/jobs.ts over the real TaskDispatch, ranking by
 * standing, the real TaskVerification and TaskAccountability, between real
 * libp2p nodes in Node and the real sandbox (test/support/checked-mesh.ts).
 * One executor among honest ones returns a forged output for every task,
 * with a receipt that verifies.
 */
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../../src/core/hash.ts'
import { DEFAULT_MAX_TOTAL_PRICE } from '../../../../src/core/limits.ts'
import { DEFAULT_MAX_EXECUTORS_PER_SLICE } from '../../../../src/orchestration/jobs/index.ts'
import type { JobItemResult } from '../../../../src/orchestration/jobs/index.ts'
import { startJob } from '../../../../src/peer/jobs.ts'
import { DEFAULT_FIRST_CHECKS, DEFAULT_MIN_CHECKER_CONFIRMED } from '../../../../src/trust/verification/index.ts'
import { FORGED_OUTPUT, checkedMeshSuite } from '../../../support/checked-mesh.ts'
import type { CheckedSubmitter, ExecutorPeer } from '../../../support/checked-mesh.ts'

let honest: ExecutorPeer[]
let cheater: ExecutorPeer
let checker: ExecutorPeer

const mesh = checkedMeshSuite(['echo'], async ({ executor }) => {
  honest = [await executor(), await executor(), await executor()]
  cheater = await executor({ honestRuns: 0 })
  checker = await executor()
})

/** Distinct one-line inputs, so a result in the wrong place would show. */
const inputsOf = (count: number, tag: string): string[] => Array.from({ length: count }, (_, i) => `${tag} input ${i}`)

/** Runs a job of `inputs` (one to a task, the budget of every task the policy's reference value) on `s`'s mesh. */
async function runJob (s: CheckedSubmitter, inputs: string[], options: { verify?: boolean } = {}): Promise<{ results: JobItemResult[], spent: number, jobTasks: (peer: ExecutorPeer) => string[] }> {
  const { runner } = await startJob(s.ctx, { module: mesh.modules.echo, inputs, sliceSize: 1, maxTotalPrice: DEFAULT_MAX_TOTAL_PRICE, ...options })
  const results = await runner.results()
  const prefix = `${runner.jobId}-`
  return { results, spent: runner.status().spent, jobTasks: peer => peer.executed.filter(taskId => taskId.startsWith(prefix)) }
}

const charges = (receipts: ReadonlyArray<{ price: { charge: number } }>): number => receipts.reduce((sum, receipt) => sum + receipt.price.charge, 0)

describe('a job\'s slices, checked', () => {
  it('returns every input right with a cheater among three honest executors; the cheater is caught, never paid, and checks stay within the policy', async () => {
    const s = await mesh.submitter([...honest, cheater])
    const inputs = inputsOf(36, 'first')
    const { results, spent, jobTasks } = await runJob(s, inputs)

    // Every input has its own right result, none from the cheater.
    expect(results.map(r => r.index)).toEqual(inputs.map((_, i) => i))
    expect(results.map(r => r.error)).toEqual(inputs.map(() => undefined))
    expect(results.map(r => r.output)).toEqual(inputs)
    expect(results.filter(r => r.executor === cheater.peerId)).toEqual([])

    // The cheater did get slices, and was caught. Once caught it is no longer ranked, so the job treats it as gone:
    // its slices still under way run elsewhere, and their answers, late, are neither checked nor paid.
    const cheated = jobTasks(cheater)
    expect(cheated.length).toBeGreaterThan(0)
    const { contradicted, confirmed } = s.verification.book.record(cheater.peerId)
    expect(confirmed).toBe(0)
    expect(contradicted).toBeGreaterThanOrEqual(1)
    expect(contradicted).toBeLessThanOrEqual(cheated.length)
    expect(s.reputation.book.isBlacklisted(cheater.peerId)).toBe(true)
    expect(s.dispatch.standing(cheater.peerId)).toEqual({ score: 0, blacklisted: true })

    // Never paid, nor kept: its payments were held for the check (a newcomer's are).
    expect(s.paid.filter(r => r.executor === cheater.peerId)).toEqual([])
    expect(s.kept.filter(r => r.executor === cheater.peerId)).toEqual([])
    // Each kept as owed, so that a tab closed before its payment has its next start pay it (peer/owed-receipts.ts).
    expect(s.keptPayments).toEqual(s.kept.map(() => 'owed'))
    // Every kept result paid exactly once, and nothing else paid; the job counts what it paid.
    const paidIds = s.paid.map(r => r.taskId)
    expect(new Set(paidIds).size).toBe(paidIds.length)
    expect(paidIds.sort()).toEqual(results.map(r => r.taskId!).sort())
    expect(spent).toBe(charges(s.paid))
    expect(spent).toBeGreaterThan(0)

    // Re-executions bounded by the policy. Each cheated slice ran again once elsewhere, within the scheduler's bound.
    const tasks = [...honest, cheater].flatMap(peer => jobTasks(peer))
    expect(tasks).toHaveLength(inputs.length + cheated.length)
    const attempts = new Map<string, number>()
    for (const taskId of tasks) {
      const slice = taskId.split('-').at(-2)! // `${jobId}-${slice}-${attempt}`
      attempts.set(slice, (attempts.get(slice) ?? 0) + 1)
    }
    expect(attempts.size).toBe(inputs.length)
    expect(Math.max(...attempts.values())).toBeLessThanOrEqual(DEFAULT_MAX_EXECUTORS_PER_SLICE)
    // With nobody trusted to check, every check is this peer's own re-run: each caught slice once, and an honest
    // executor only while the policy's probability is 1 — its first DEFAULT_FIRST_CHECKS tasks and, at this budget,
    // one more — plus the tasks already under way when those confirmations landed.
    expect(s.ownRuns.every(hash => hash === sha256Hex(mesh.modules.echo))).toBe(true)
    const perHonest = DEFAULT_FIRST_CHECKS + 1 + s.dispatch.inFlightLimit(honest[0]!.peerId)
    expect(s.ownRuns.length).toBeLessThanOrEqual(contradicted + honest.length * perHonest)
    expect(s.ownRuns.length).toBeLessThan(inputs.length)
    for (const peer of honest) expect(s.verification.book.record(peer.peerId)).toMatchObject({ contradicted: 0 })
  }, 120_000)

  it('keeps a trusted checker\'s result for a slice it showed wrong, and pays the checker, never the cheater', async () => {
    const s = await mesh.submitter([cheater, honest[0]!, checker])
    // The submitter has confirmed the checker often enough to have it re-run others' tasks.
    for (let i = 0; i < DEFAULT_MIN_CHECKER_CONFIRMED; i++) s.verification.confirm(checker.peerId)
    const inputs = inputsOf(8, 'second')
    const { results, spent, jobTasks } = await runJob(s, inputs)

    expect(results.map(r => r.output)).toEqual(inputs)
    const cheated = jobTasks(cheater)
    expect(cheated.length).toBeGreaterThan(0)
    // The slices the cheater was caught on are the checker's `-check` tasks' results, taken as they came (those still
    // under way when it was caught ran elsewhere, as in the first case).
    const replaced = results.filter(r => r.taskId!.endsWith('-check'))
    const { contradicted } = s.verification.book.record(cheater.peerId)
    expect(contradicted).toBeGreaterThanOrEqual(1)
    expect(replaced).toHaveLength(contradicted)
    for (const r of replaced) expect(cheated).toContain(r.taskId!.slice(0, -'-check'.length))
    expect(replaced.every(r => r.executor === checker.peerId)).toBe(true)

    expect(s.paid.filter(r => r.executor === cheater.peerId)).toEqual([])
    for (const r of replaced) expect(s.paid.filter(p => p.taskId === r.taskId)).toHaveLength(1)
    const paidIds = s.paid.map(r => r.taskId)
    expect(new Set(paidIds).size).toBe(paidIds.length)
    // The checker is paid for every check it ran (some confirmed an honest executor: both are paid); the job counts it all.
    expect(spent).toBe(charges(s.paid))
  }, 120_000)

  it('checks nothing with verify: false, and then the cheater\'s forged results get through (the check is what stops them)', async () => {
    const s = await mesh.submitter([...honest, cheater])
    const inputs = inputsOf(12, 'third')
    const { results, jobTasks } = await runJob(s, inputs, { verify: false })

    const cheated = jobTasks(cheater)
    expect(cheated.length).toBeGreaterThan(0)
    const forged = results.filter(r => r.output === FORGED_OUTPUT)
    expect(forged.length).toBe(cheated.length)
    expect(forged.every(r => r.executor === cheater.peerId)).toBe(true)
    expect(s.ownRuns).toEqual([])
    expect(s.verification.book.record(cheater.peerId)).toMatchObject({ confirmed: 0, contradicted: 0 })
    // Unchecked, the cheater is paid like anyone.
    expect(s.paid.filter(r => r.executor === cheater.peerId)).toHaveLength(cheated.length)
  }, 120_000)
})
