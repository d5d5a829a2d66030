/**
 * How one unit (a step, or one item of a fan-out) moves on an event of the
 * run's log: the transitions of docs/workflow-spec.md's states, each checked
 * against the unit's state first (RunEventOrderError when the event does not
 * fit, and nothing changes). Pure; WorkflowRun.apply calls it once the event
 * is well formed and names a unit that may run.
 */
import { MAX_FREE_INTERRUPTIONS } from './constants.ts'
import { outputJson } from './bindings.ts'
import { RunEventOrderError } from './errors.ts'
import { backoffMs } from './step-record.ts'
import type { StepRecord, Unit } from './step-record.ts'
import type { RunEvent } from './types.ts'

/** An event about one unit: every event but `canceled`. */
export type UnitEvent = Exclude<RunEvent, { type: 'canceled' }>

function refuse (message: string): never {
  throw new RunEventOrderError(message)
}

/** Applies `event` to unit `index` of `record`, or refuses it. */
export function applyUnitEvent (record: StepRecord, index: number, unit: Unit, event: UnitEvent): void {
  const where = `${event.step}${record.fanOut ? `[${index}]` : ''}`
  const current = unit.state === 'working' ? unit.attempts : unit.attempts + 1
  switch (event.type) {
    case 'scheduled':
      if (unit.state !== 'ready') refuse(`${where} is ${unit.state}, not ready to schedule`)
      if (record.itemDecisions?.get(index) !== undefined) refuse(`${where} is to be ${record.itemDecisions.get(index)?.kind === 'skip' ? 'skipped' : 'errored'}, not scheduled`)
      unit.state = 'submitted'
      return
    case 'retried':
      if (unit.state !== 'backoff') refuse(`${where} is ${unit.state}, not waiting for a retry`)
      if (event.at < (unit.notBefore ?? -Infinity)) refuse(`${where} may not be retried before ${unit.notBefore}`)
      unit.state = 'submitted'
      delete unit.notBefore
      return
    case 'started':
      if (unit.state !== 'submitted') refuse(`${where} is ${unit.state}, not scheduled`)
      if (event.attempt !== unit.attempts + 1) refuse(`${where}: attempt ${event.attempt} is not the next one (${unit.attempts + 1})`)
      unit.state = 'working'
      unit.attempts = event.attempt
      if (event.executor === undefined) delete unit.executor
      else unit.executor = event.executor
      return
    case 'interrupted': {
      if (unit.state !== 'working' && unit.state !== 'submitted') refuse(`${where} is ${unit.state}, not running`)
      if (event.attempt !== current) refuse(`${where}: attempt ${event.attempt} is not the current one (${current})`)
      unit.attempts = current
      delete unit.executor
      const free = unit.freeInterruptions ?? 0
      if (free < MAX_FREE_INTERRUPTIONS) {
        // Not a failure: runs again as soon as the runner looks, without a backoff.
        unit.freeInterruptions = free + 1
        unit.state = 'backoff'
        unit.notBefore = event.at
      } else if (current - free <= (record.spec.retry?.limit ?? 0)) {
        record.lastError = { name: 'RunInterruptedError', message: `attempt ${current} was in flight when the run was interrupted` }
        unit.state = 'backoff'
        unit.notBefore = event.at + backoffMs(record.spec, current - free)
      } else {
        record.lastError = { name: 'RunInterruptedError', message: `attempt ${current} was in flight when the run was interrupted, ${free} times already` }
        unit.state = 'failed'
      }
      return
    }
    case 'skipped': {
      const decided = record.itemDecisions?.get(index)
      if (unit.state !== 'ready' || decided?.kind !== 'skip') refuse(`${where} cannot be skipped: it is ${unit.state}${decided === undefined ? ' and its when is true' : ''}`)
      unit.state = 'skipped'
      record.lastError = undefined
      return
    }
    case 'succeeded':
    case 'failed': {
      if (event.type === 'failed' && event.attempt === 0) {
        if (unit.state !== 'ready') refuse(`${where} is ${unit.state}; only a unit not yet scheduled errors with attempt 0`)
        unit.state = 'failed'
        unit.errored = true
        record.lastError = { ...event.error }
        return
      }
      if (unit.state !== 'working' && unit.state !== 'submitted') refuse(`${where} is ${unit.state}, not running`)
      if (event.attempt !== current) refuse(`${where}: attempt ${event.attempt} is not the current one (${current})`)
      unit.attempts = current
      delete unit.executor
      if (event.type === 'succeeded') {
        unit.state = 'succeeded'
        if (event.executor !== undefined) unit.ranOn = event.executor
        // Read as JSON once, here, rather than on every later decision.
        const json = outputJson(event.outputs)
        unit.outputs = { stdout: event.outputs.stdout, stdoutHash: event.outputs.stdoutHash, files: { ...event.outputs.files }, ...(json === undefined ? {} : { json }) }
        return
      }
      record.lastError = { ...event.error }
      if (event.retryable && current - (unit.freeInterruptions ?? 0) <= (record.spec.retry?.limit ?? 0)) {
        unit.state = 'backoff'
        unit.notBefore = event.at + backoffMs(record.spec, current - (unit.freeInterruptions ?? 0))
      } else {
        unit.state = 'failed'
        if (event.errored === true) unit.errored = true
      }
    }
  }
}
