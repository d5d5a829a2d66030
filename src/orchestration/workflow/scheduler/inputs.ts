/** Checks a run's inputs against the spec's declared inputs. */
import type { WorkflowSpec } from '../spec/index.ts'
import { InvalidWorkflowInputsError } from './errors.ts'
import type { WorkflowInputValue } from './types.ts'

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isStringRecord (value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every(v => typeof v === 'string')
}

/**
 * Every declared input, of its declared shape (see WorkflowInputValue), and
 * nothing else. Returns a shallow copy. Throws InvalidWorkflowInputsError
 * naming the first input that is missing, unknown or of the wrong shape.
 */
export function checkInputs (spec: WorkflowSpec, inputs: Record<string, WorkflowInputValue>): Readonly<Record<string, WorkflowInputValue>> {
  if (!isRecord(inputs)) throw new InvalidWorkflowInputsError('inputs must be an object')
  const declared = spec.inputs ?? {}
  for (const name of Object.keys(inputs)) {
    if (!Object.hasOwn(declared, name)) throw new InvalidWorkflowInputsError(`unknown input ${name}; the spec declares ${Object.keys(declared).join(', ') || 'none'}`)
  }
  for (const [name, { type }] of Object.entries(declared)) {
    if (!Object.hasOwn(inputs, name)) throw new InvalidWorkflowInputsError(`missing input ${name} (${type})`)
    const value = inputs[name]
    const ok = type === 'text'
      ? typeof value === 'string'
      : type === 'bytes'
        ? isRecord(value) && typeof value.blob === 'string'
        : type === 'files'
          ? isRecord(value) && isStringRecord(value.files)
          : value !== undefined
    if (!ok) throw new InvalidWorkflowInputsError(`input ${name} is not ${type === 'text' ? 'a string' : type === 'bytes' ? '{ blob: <hash> }' : type === 'files' ? '{ files: { <name>: <hash> } }' : 'JSON'}`)
  }
  return Object.freeze({ ...inputs })
}
