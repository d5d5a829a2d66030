import { describe, expect, it } from 'vitest'
import { A2ATaskTable } from '../../../../src/orchestration/a2a/index.ts'
import type { Message, StreamResponse } from '../../../../src/orchestration/a2a/index.ts'

const message = (text: string): Message => ({ messageId: 'm', role: 'ROLE_USER', parts: [{ text }] })

describe('the A2A task table', () => {
  it('bounds the JSON it keeps: finished tasks make room, running ones are never dropped', () => {
    const table = new A2ATaskTable({ now: () => 0, maxTasks: 100, maxBytes: 2_000, ttlMs: 60_000 })
    const finish = (id: string, output: string): void => {
      table.setState(id, 'TASK_STATE_WORKING')
      table.addArtifact(id, { artifactId: 'stdout', parts: [{ text: output }] })
      table.setState(id, 'TASK_STATE_COMPLETED')
    }
    table.create('a', 'c', message('x'))
    finish('a', 'y'.repeat(800))
    table.create('b', 'c', message('x'))
    // b finishing with a large artifact pushes the table past its bound: a, the oldest finished, goes; b stays readable.
    finish('b', 'y'.repeat(1200))
    expect(() => table.get('a')).toThrow(expect.objectContaining({ name: 'TaskNotFoundError' }))
    expect(table.get('b').artifacts?.[0]?.parts[0]?.text).toHaveLength(1200)
    // Running tasks that fill the bound: b goes for the first, and the next is refused.
    table.create('r1', 'c', message('z'.repeat(900)))
    expect(table.size).toBe(1)
    expect(() => table.create('r2', 'c', message('z'.repeat(1500)))).toThrow(expect.objectContaining({ name: 'A2ATaskLimitError' }))
    expect(table.get('r1').status.state).toBe('TASK_STATE_SUBMITTED')
  })

  it('sends every change to a subscriber, ending with the terminal status, and copies what it hands out', async () => {
    const table = new A2ATaskTable({ now: () => 1_767_225_600_000, maxTasks: 4, maxBytes: 1_000_000, ttlMs: 60_000 })
    const task = table.create('t', 'c', message('x'))
    expect(task.status.timestamp).toBe('2026-01-01T00:00:00.000Z')
    task.status.state = 'TASK_STATE_COMPLETED'
    expect(table.get('t').status.state).toBe('TASK_STATE_SUBMITTED')
    const seen: StreamResponse[] = []
    const reading = (async () => { for await (const event of table.events('t')) seen.push(event) })()
    table.setState('t', 'TASK_STATE_WORKING')
    table.addArtifact('t', { artifactId: 'out', parts: [{ text: 'done' }] })
    table.setState('t', 'TASK_STATE_FAILED')
    await reading
    expect(seen.map(event => Object.keys(event)[0])).toEqual(['task', 'statusUpdate', 'artifactUpdate', 'statusUpdate'])
    expect(() => { table.setState('t', 'TASK_STATE_WORKING') }).toThrow(expect.objectContaining({ name: 'InvalidTaskTransitionError' }))
    expect(table.cancel('t')).toBe(false)
  })
})
