import { describe, expect, it } from 'vitest'
import { InvalidTaskTransitionError, TASK_STATES, canTransition, isTerminal, transition } from '../../../../src/orchestration/a2a/index.ts'
import type { TaskState } from '../../../../src/orchestration/a2a/index.ts'

describe('the A2A task state machine', () => {
  it('goes submitted → working → completed, failed or canceled', () => {
    expect(transition('TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING')).toBe('TASK_STATE_WORKING')
    for (const end of ['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED'] as const) {
      expect(canTransition('TASK_STATE_WORKING', end)).toBe(true)
    }
    expect(canTransition('TASK_STATE_SUBMITTED', 'TASK_STATE_REJECTED')).toBe(true)
    expect(canTransition('TASK_STATE_INPUT_REQUIRED', 'TASK_STATE_WORKING')).toBe(true)
  })

  it('never leaves a terminal state, and cannot complete a task that never worked', () => {
    const terminal: TaskState[] = ['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_REJECTED']
    for (const from of terminal) {
      expect(isTerminal(from)).toBe(true)
      for (const to of TASK_STATES) expect(canTransition(from, to)).toBe(false)
    }
    expect(isTerminal('TASK_STATE_WORKING')).toBe(false)
    expect(() => transition('TASK_STATE_COMPLETED', 'TASK_STATE_WORKING')).toThrow(InvalidTaskTransitionError)
    expect(() => transition('TASK_STATE_SUBMITTED', 'TASK_STATE_COMPLETED')).toThrow(expect.objectContaining({ name: 'InvalidTaskTransitionError' }))
  })
})
