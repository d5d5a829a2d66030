/**
 * The A2A task life cycle (A2A 1.0's task life cycle, a2a.proto `TaskState`) as a pure
 * transition table: a task is submitted, then works, and ends completed,
 * failed, canceled or rejected; input-required and auth-required are
 * interrupted states it may return to working from. A terminal state is
 * never left.
 */
import { InvalidTaskTransitionError } from './errors.ts'
import type { TaskState } from './types.ts'

const TERMINAL: ReadonlySet<TaskState> = new Set(['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_REJECTED'])

const NEXT: Readonly<Record<TaskState, readonly TaskState[]>> = {
  TASK_STATE_SUBMITTED: ['TASK_STATE_WORKING', 'TASK_STATE_REJECTED', 'TASK_STATE_CANCELED', 'TASK_STATE_FAILED'],
  TASK_STATE_WORKING: ['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_INPUT_REQUIRED', 'TASK_STATE_AUTH_REQUIRED'],
  TASK_STATE_INPUT_REQUIRED: ['TASK_STATE_WORKING', 'TASK_STATE_CANCELED', 'TASK_STATE_FAILED'],
  TASK_STATE_AUTH_REQUIRED: ['TASK_STATE_WORKING', 'TASK_STATE_CANCELED', 'TASK_STATE_FAILED'],
  TASK_STATE_COMPLETED: [],
  TASK_STATE_FAILED: [],
  TASK_STATE_CANCELED: [],
  TASK_STATE_REJECTED: []
}

/** Whether `state` ends the task: no further change, not cancelable. */
export function isTerminal (state: TaskState): boolean {
  return TERMINAL.has(state)
}

export function canTransition (from: TaskState, to: TaskState): boolean {
  return NEXT[from].includes(to)
}

/** Returns `to` when the table allows it from `from`; throws InvalidTaskTransitionError otherwise. */
export function transition (from: TaskState, to: TaskState): TaskState {
  if (!canTransition(from, to)) throw new InvalidTaskTransitionError(`a task cannot go from ${from} to ${to}`)
  return to
}
