/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * An attempt in flight when the submitter's tab went away is `interrupted`,
 * not failed: on resume it runs again at once without spending a retry, a
 * bounded number of times (MAX_FREE_INTERRUPTIONS), after which an
 * interruption counts as a failed attempt so the run still ends.
 */
import { describe, expect, it } from 'vitest'
import { MAX_FREE_INTERRUPTIONS } from '../../../../src/orchestration/workflow/scheduler/constants.ts'
import { InvalidRunEventError, RunEventOrderError, WorkflowRun } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import type { StepSpec, WorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'

const spec = (tasks: StepSpec[]): WorkflowSpec => ({ version: 1, dag: { tasks } })
const ok = (stdout: string) => ({ stdout, stdoutHash: `h:${stdout}`, files: {} })

/** Schedules and starts the one unit `next(now)` offers for `step`, returning its attempt. */
function start (run: WorkflowRun, now: number, step: string, item?: number): number {
  const action = run.next(now).find(a => a.step === step && a.item === item)
  if (action === undefined) throw new Error(`${step} is not offered at ${now}: ${JSON.stringify(run.status())}`)
  const where = { step, ...(item === undefined ? {} : { item }) }
  run.apply({ type: action.attempt === 1 ? 'scheduled' : 'retried', at: now, ...where })
  run.apply({ type: 'started', at: now, ...where, attempt: action.attempt, executor: 'p1' })
  return action.attempt
}

describe('interrupted attempts', () => {
  it('run again at once and do not use up a step without retries', () => {
    const run = new WorkflowRun(spec([{ name: 'a', module: 'echo' }]), {}, 'r')
    const first = start(run, 0, 'a')
    run.apply({ type: 'interrupted', at: 5, step: 'a', attempt: first })
    expect(run.status().steps[0]).toMatchObject({ state: 'working', attempts: 1 })
    expect(run.nextWakeAt()).toBe(5) // no backoff
    const second = start(run, 5, 'a')
    expect(second).toBe(2)
    run.apply({ type: 'succeeded', at: 6, step: 'a', attempt: second, outputs: ok('done') })
    expect(run.state).toBe('completed')
  })

  it('leave the retry limit whole for real failures', () => {
    const run = new WorkflowRun(spec([{ name: 'a', module: 'echo', retry: { limit: 1, backoff: { initialMs: 100, factor: 2, maxMs: 1000 } } }]), {}, 'r')
    run.apply({ type: 'interrupted', at: 1, step: 'a', attempt: start(run, 0, 'a') })
    run.apply({ type: 'interrupted', at: 2, step: 'a', attempt: start(run, 1, 'a') })
    const third = start(run, 2, 'a')
    run.apply({ type: 'failed', at: 3, step: 'a', attempt: third, error: { name: 'TrapError', message: 'trap' }, retryable: true })
    // The first failure's backoff, not the third's: the interruptions were not failures.
    expect(run.nextWakeAt()).toBe(103)
    const fourth = start(run, 103, 'a')
    run.apply({ type: 'failed', at: 104, step: 'a', attempt: fourth, error: { name: 'TrapError', message: 'trap' }, retryable: true })
    expect(run.state).toBe('failed')
    expect(run.status().steps[0]).toMatchObject({ attempts: 4, lastError: { name: 'TrapError' } })
  })

  it(`count as failed attempts after ${MAX_FREE_INTERRUPTIONS}, so a run that keeps losing its tab still ends`, () => {
    const run = new WorkflowRun(spec([{ name: 'a', module: 'echo', forEach: ['x', 'y'], stdin: '${{ item }}' }]), {}, 'r')
    let now = 0
    for (let i = 0; i < MAX_FREE_INTERRUPTIONS; i++) {
      run.apply({ type: 'interrupted', at: ++now, step: 'a', item: 1, attempt: start(run, now, 'a', 1) })
    }
    run.apply({ type: 'interrupted', at: ++now, step: 'a', item: 1, attempt: start(run, now, 'a', 1) })
    expect(run.status().steps[0]).toMatchObject({ items: { done: 1, total: 2 }, lastError: { name: 'RunInterruptedError' } })
    expect(run.nextWakeAt()).toBeUndefined() // item 1 is not to be retried
    const other = start(run, now, 'a', 0) // the other item goes on
    run.apply({ type: 'succeeded', at: now, step: 'a', item: 0, attempt: other, outputs: ok('x') })
    expect(run.state).toBe('failed')
  })

  it('apply to a scheduled attempt that never started, and replay to the same state', () => {
    const run = new WorkflowRun(spec([{ name: 'a', module: 'echo' }]), {}, 'r')
    run.next(0)
    run.apply({ type: 'scheduled', at: 0, step: 'a' })
    run.apply({ type: 'interrupted', at: 1, step: 'a', attempt: 1 })
    const replayed = WorkflowRun.replay(run.spec, {}, 'r', run.events)
    expect(replayed.status()).toEqual(run.status())
    expect(replayed.next(1)).toEqual(run.next(1))
    expect(run.next(1)[0]?.attempt).toBe(2)
  })

  it('are refused for a unit that is not running, or the wrong attempt', () => {
    const run = new WorkflowRun(spec([{ name: 'a', module: 'echo' }]), {}, 'r')
    expect(() => { run.apply({ type: 'interrupted', at: 0, step: 'a', attempt: 1 }) }).toThrow(RunEventOrderError)
    const attempt = start(run, 0, 'a')
    expect(() => { run.apply({ type: 'interrupted', at: 1, step: 'a', attempt: attempt + 1 }) }).toThrow(RunEventOrderError)
    expect(() => { run.apply({ type: 'interrupted', at: 1, step: 'a', attempt: 0 } as never) }).toThrow(InvalidRunEventError)
  })
})
