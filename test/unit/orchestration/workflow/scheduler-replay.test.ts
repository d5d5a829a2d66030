/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * Replay: a run rebuilt from any prefix of its log is in the state the live
 * run was in after that prefix, and never offers a unit that already
 * succeeded. A property test over random interleavings of schedules, starts,
 * successes, (retryable) failures and interruptions (a reload), drawn with
 * mulberry32.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../src/core/mulberry32.ts'
import type { StepSpec, WorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import { WorkflowRun } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import type { RunEvent } from '../../../../src/orchestration/workflow/scheduler/index.ts'

const step = (name: string, fields: Partial<StepSpec> = {}): StepSpec => ({ name, module: 'echo', ...fields })
const backoff = { initialMs: 10, factor: 2, maxMs: 40 }

const SPEC: WorkflowSpec = {
  version: 1,
  inputs: { text: { type: 'text' } },
  dag: {
    tasks: [
      step('a', { stdin: '${{ inputs.text }}', retry: { limit: 2, backoff } }),
      step('b', { retry: { limit: 1, backoff } }),
      step('c', { forEach: 'steps.a.json.list', stdin: '${{ item }}', retry: { limit: 1, backoff } }),
      step('d', { depends: 'c.AnySucceeded', stdin: '${{ steps.c.items }}' }),
      step('e', { depends: 'a.Succeeded && !b.Failed', args: ['${{ steps.a.json.n }}'] }),
      step('f', { depends: 'b.Failed || d.Succeeded' }),
      step('g', { dependencies: ['a'], when: 'steps.a.json.n > 2' }),
      // Items skipped one by one.
      step('h', { forEach: 'steps.a.json.list', when: 'item != "chunk1"', stdin: '${{ item }}' }),
      // Errored (cannot be bound) when the list is short; j runs either way, which handles it.
      step('i', { stdin: '${{ steps.a.json.list[1] }}' }),
      step('j', { depends: 'i.Succeeded || i.Errored' })
    ]
  }
}
const INPUTS = { text: 'some text' }

interface Snapshot {
  status: ReturnType<WorkflowRun['status']>
  inFlight: ReturnType<WorkflowRun['inFlight']>
  wake: number | undefined
}

const snapshot = (run: WorkflowRun): Snapshot => ({ status: run.status(), inFlight: run.inFlight(), wake: run.nextWakeAt() })
const unitKey = (event: { step: string, item?: number }): string => `${event.step}#${event.item ?? '-'}`

/**
 * Drives `run` with random choices until it ends (or `maxOps`), recording a
 * snapshot after every change, keyed by the log's length.
 */
function drive (run: WorkflowRun, random: () => number, now: number, snapshots: Map<number, Snapshot>, maxOps = 400): number {
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T
  const record = (): void => { snapshots.set(run.events.length, snapshot(run)) }
  record()
  for (let op = 0; op < maxOps; op++) {
    if (['completed', 'failed', 'canceled'].includes(run.status().state)) break
    now += Math.floor(random() * 8)
    const actions = run.next(now)
    record()
    if (['completed', 'failed'].includes(run.status().state)) break
    const inFlight = run.inFlight()
    const choices: Array<() => void> = []
    if (actions.length > 0) {
      choices.push(() => {
        const action = pick(actions)
        run.apply({ type: action.attempt === 1 ? 'scheduled' : 'retried', at: now, step: action.step, ...(action.item === undefined ? {} : { item: action.item }) })
      })
    }
    for (const flight of inFlight) {
      const where = { step: flight.step, ...(flight.item === undefined ? {} : { item: flight.item }) }
      if (!flight.started) {
        choices.push(() => run.apply({ type: 'started', at: now, ...where, attempt: flight.attempt, executor: `p${Math.floor(random() * 3)}` }))
      }
      choices.push(() => {
        const roll = random()
        if (roll < 0.1) {
          run.apply({ type: 'interrupted', at: now, ...where, attempt: flight.attempt })
        } else if (roll < 0.7) {
          const stdout = flight.step === 'a'
            ? JSON.stringify({ list: Array.from({ length: Math.floor(random() * 4) }, (_, i) => `chunk${i}`), n: Math.floor(random() * 5) })
            : `out of ${flight.step} ${flight.item ?? ''}`
          run.apply({ type: 'succeeded', at: now, ...where, attempt: flight.attempt, outputs: { stdout, stdoutHash: `h:${stdout}`, files: {} } })
        } else {
          run.apply({ type: 'failed', at: now, ...where, attempt: flight.attempt, error: { name: 'TrapError', message: 'trap' }, retryable: random() < 0.7 })
        }
      })
    }
    if (choices.length === 0) {
      const wake = run.nextWakeAt()
      if (wake === undefined) throw new Error(`stuck: ${JSON.stringify(run.status())}`)
      now = Math.max(now, wake)
      continue
    }
    pick(choices)()
    record()
  }
  return now
}

describe('replay from the log', () => {
  it('gives, for any prefix, the state the live run had after it, and never offers a finished unit again', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const random = mulberry32(seed)
      const run = new WorkflowRun(SPEC, INPUTS, `run-${seed}`)
      const snapshots = new Map<number, Snapshot>()
      drive(run, random, 0, snapshots)
      const events = run.events
      expect(['completed', 'failed']).toContain(run.status().state)

      // No unit succeeded twice.
      const succeeded = events.filter((e): e is Extract<RunEvent, { type: 'succeeded' }> => e.type === 'succeeded').map(unitKey)
      expect(new Set(succeeded).size).toBe(succeeded.length)

      for (const [length, expected] of snapshots) {
        const prefix = events.slice(0, length)
        const replayed = WorkflowRun.replay(SPEC, INPUTS, `run-${seed}`, prefix)
        expect(snapshot(replayed), `seed ${seed}, prefix ${length}`).toEqual(expected)
        expect(replayed.events).toEqual(prefix)
        // A reload resumes without re-running what finished.
        const done = new Set(prefix.filter(e => e.type === 'succeeded').map(e => unitKey(e as { step: string, item?: number })))
        const at = prefix.at(-1)?.at ?? 0
        for (const action of replayed.next(at + 1000)) expect(done.has(unitKey(action)), `seed ${seed}, prefix ${length}: ${unitKey(action)} again`).toBe(false)
      }
    }
  })

  it('resumes a replayed run to the end, each unit succeeding at most once', () => {
    for (let seed = 100; seed < 130; seed++) {
      const random = mulberry32(seed)
      const live = new WorkflowRun(SPEC, INPUTS, 'r')
      drive(live, random, 0, new Map(), 12)
      const stored = JSON.parse(JSON.stringify(live.events)) as RunEvent[]
      const resumed = WorkflowRun.replay(SPEC, INPUTS, 'r', stored)
      // The attempts in flight at the reload are lost: the runner reports them failed, retryably.
      const at = stored.at(-1)?.at ?? 0
      for (const flight of resumed.inFlight()) {
        resumed.apply({ type: 'failed', at, step: flight.step, ...(flight.item === undefined ? {} : { item: flight.item }), attempt: flight.attempt, error: { name: 'ReloadError', message: 'page reloaded' }, retryable: true })
      }
      drive(resumed, random, at, new Map())
      expect(['completed', 'failed']).toContain(resumed.status().state)
      const succeeded = resumed.events.filter(e => e.type === 'succeeded').map(e => unitKey(e as { step: string, item?: number }))
      expect(new Set(succeeded).size).toBe(succeeded.length)
    }
  })

  it('reaches both ends of the run over the seeds', () => {
    const ends = new Set<string>()
    for (let seed = 1; seed <= 60; seed++) {
      const run = new WorkflowRun(SPEC, INPUTS, 'r')
      drive(run, mulberry32(seed), 0, new Map())
      ends.add(run.status().state)
    }
    expect([...ends].sort()).toEqual(['completed', 'failed'])
  })
})
