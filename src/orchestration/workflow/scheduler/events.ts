/** Checks that an event is well formed, before the run checks that it fits. */
import { InvalidRunEventError } from './errors.ts'
import type { RunEvent } from './types.ts'

const TYPES = ['scheduled', 'retried', 'started', 'succeeded', 'failed', 'interrupted', 'skipped', 'canceled'] as const

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail (message: string): never {
  throw new InvalidRunEventError(message)
}

function string (event: Record<string, unknown>, field: string, optional = false): void {
  const value = event[field]
  if (optional && value === undefined) return
  if (typeof value !== 'string') fail(`${String(event.type)}: ${field} must be a string`)
}

function integer (event: Record<string, unknown>, field: string, min: number, optional = false): void {
  const value = event[field]
  if (optional && value === undefined) return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(`${String(event.type)}: ${field} must be an integer ≥ ${min}`)
}

function stringRecord (value: unknown, what: string): void {
  if (!isRecord(value) || !Object.values(value).every(v => typeof v === 'string')) fail(`${what} must map names to strings`)
}

/** Throws InvalidRunEventError unless `event` is one of the RunEvent shapes. */
export function checkEvent (event: unknown): asserts event is RunEvent {
  if (!isRecord(event)) fail('an event must be an object')
  if (!(TYPES as readonly unknown[]).includes(event.type)) fail(`unknown event type ${JSON.stringify(event.type)}; expected one of ${TYPES.join(', ')}`)
  if (typeof event.at !== 'number' || !Number.isFinite(event.at)) fail(`${String(event.type)}: at must be a finite number of ms`)
  if (event.type === 'canceled') return string(event, 'reason', true)
  string(event, 'step')
  integer(event, 'item', 0, true)
  switch (event.type) {
    case 'interrupted':
      integer(event, 'attempt', 1)
      return
    case 'started': {
      integer(event, 'attempt', 1)
      string(event, 'executor', true)
      string(event, 'contextHash', true)
      const agent = event.agent
      if (agent !== undefined && (!isRecord(agent) || !['name', 'version', 'author', 'moduleHash'].every(field => typeof agent[field] === 'string'))) {
        fail('started: agent must be { name, version, author, moduleHash }')
      }
      return
    }
    case 'succeeded': {
      integer(event, 'attempt', 1)
      string(event, 'receiptHash', true)
      string(event, 'executor', true)
      const outputs = event.outputs
      if (!isRecord(outputs)) fail('succeeded: outputs must be an object')
      if (typeof outputs.stdout !== 'string' || typeof outputs.stdoutHash !== 'string') fail('succeeded: outputs.stdout and outputs.stdoutHash must be strings')
      stringRecord(outputs.files, 'succeeded: outputs.files')
      const context = event.context
      if (context !== undefined) {
        // The entries' signatures and rules are checked where they are applied (the runner's ContextState), not here.
        if (!isRecord(context) || !Array.isArray(context.entries) || !context.entries.every(isRecord)) fail('succeeded: context.entries must be an array of entries')
        const refused = context.refused
        if (refused !== undefined && (!isRecord(refused) || typeof refused.name !== 'string' || typeof refused.message !== 'string')) fail('succeeded: context.refused must be { name, message }')
      }
      return
    }
    case 'failed': {
      integer(event, 'attempt', 0)
      const error = event.error
      if (!isRecord(error) || typeof error.name !== 'string' || typeof error.message !== 'string') fail('failed: error must be { name, message }')
      if (typeof event.retryable !== 'boolean') fail('failed: retryable must be a boolean')
      if (event.errored !== undefined && typeof event.errored !== 'boolean') fail('failed: errored must be a boolean')
      return
    }
    case 'skipped':
      string(event, 'reason')
  }
}
