import { describe, expect, it } from 'vitest'
import { A2AServer, MAX_A2A_ID_LENGTH } from '../../../../src/orchestration/a2a/index.ts'
import type { A2AAnswer, JsonRpcResponse, StreamResponse, Task } from '../../../../src/orchestration/a2a/index.ts'
import { textAgent } from './agents.ts'

let ids = 0
const server = (init: ConstructorParameters<typeof A2AServer>[1] = {}): A2AServer =>
  new A2AServer({ agent: () => textAgent }, { randomId: () => `id-${++ids}`, ...init })

const send = (skill: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  jsonrpc: '2.0',
  id: 7,
  method: 'SendMessage',
  params: { message: { messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'hallo' }], metadata: { skill } }, ...extra }
})

function single (answer: A2AAnswer): JsonRpcResponse {
  if (!('response' in answer)) throw new Error('expected a single response')
  return answer.response
}

const resultOf = (answer: A2AAnswer): unknown => {
  const response = single(answer)
  if ('error' in response) throw new Error(`error ${response.error.code}: ${response.error.message}`)
  return response.result
}

const errorOf = (answer: A2AAnswer): { code: number, name?: string } => {
  const response = single(answer)
  if (!('error' in response)) throw new Error('expected an error')
  return { code: response.error.code, name: response.error.data?.name }
}

async function collect (answer: A2AAnswer): Promise<StreamResponse[]> {
  if (!('stream' in answer)) throw new Error(`expected a stream, got ${JSON.stringify(answer.response)}`)
  const out: StreamResponse[] = []
  for await (const response of answer.stream) {
    if ('error' in response) throw new Error(response.error.message)
    out.push(response.result as StreamResponse)
  }
  return out
}

describe('the A2A JSON-RPC methods', () => {
  it('SendMessage waits for the terminal state and answers with the task, its artifacts and history', async () => {
    const a2a = server()
    const { task } = resultOf(await a2a.handle(send('upper'))) as { task: Task }
    expect(task.status.state).toBe('TASK_STATE_COMPLETED')
    expect(task.artifacts).toEqual([{ artifactId: 'stdout', name: 'stdout', parts: [{ text: 'HALLO' }] }])
    expect(task.metadata).toEqual({ length: 5 })
    expect(task.history?.[0]).toMatchObject({ messageId: 'm', taskId: task.id, contextId: task.contextId })
    // GetTask reads it again, with as much history as asked for.
    const got = resultOf(await a2a.handle({ jsonrpc: '2.0', id: 'g', method: 'GetTask', params: { id: task.id, historyLength: 0 } })) as Task
    expect(got.status.state).toBe('TASK_STATE_COMPLETED')
    expect(got.history).toBeUndefined()
    expect(single(await a2a.handle(send('upper'))).id).toBe(7)
  })

  it('keeps the contextId a message names', async () => {
    const a2a = server()
    const request = send('upper')
    ;(request.params as { message: Record<string, unknown> }).message.contextId = 'run-1'
    expect(((resultOf(await a2a.handle(request)) as { task: Task }).task.contextId)).toBe('run-1')
  })

  it('fails a task whose work fails or exits non-zero, saying why', async () => {
    const a2a = server()
    const failed = (resultOf(await a2a.handle(send('boom'))) as { task: Task }).task
    expect(failed.status.state).toBe('TASK_STATE_FAILED')
    expect(failed.status.message?.parts[0]?.text).toBe('RangeError: no such thing')
    const exited = (resultOf(await a2a.handle(send('exit'))) as { task: Task }).task
    expect(exited.status).toMatchObject({ state: 'TASK_STATE_FAILED', message: { role: 'ROLE_AGENT', parts: [{ text: 'exit code 3' }] } })
  })

  it('cancels a running task (returnImmediately), and refuses to cancel it twice', async () => {
    const a2a = server()
    const { task } = resultOf(await a2a.handle(send('wait', { configuration: { returnImmediately: true } }))) as { task: Task }
    expect(task.status.state).toBe('TASK_STATE_WORKING')
    const canceled = resultOf(await a2a.handle({ jsonrpc: '2.0', id: 2, method: 'CancelTask', params: { id: task.id } })) as Task
    expect(canceled.status.state).toBe('TASK_STATE_CANCELED')
    await new Promise(resolve => setTimeout(resolve, 10))
    // The work's rejection after the cancel changes nothing: canceled is terminal.
    expect((resultOf(await a2a.handle({ jsonrpc: '2.0', id: 3, method: 'GetTask', params: { id: task.id } })) as Task).status.state).toBe('TASK_STATE_CANCELED')
    expect(errorOf(await a2a.handle({ jsonrpc: '2.0', id: 4, method: 'CancelTask', params: { id: task.id } }))).toEqual({ code: -32002, name: 'TaskNotCancelableError' })
  })

  it('streams the task, its artifact and its terminal status (SendStreamingMessage), and a running task to a subscriber', async () => {
    const a2a = server()
    const events = await collect(await a2a.handle({ ...send('upper'), method: 'SendStreamingMessage' }))
    const last = events.at(-1)
    expect(last !== undefined && 'statusUpdate' in last && last.statusUpdate.status.state).toBe('TASK_STATE_COMPLETED')
    const all = events.flatMap(event => 'task' in event ? event.task.artifacts ?? [] : 'artifactUpdate' in event ? [event.artifactUpdate.artifact] : [])
    expect(all.map(artifact => artifact.parts[0]?.text)).toEqual(['HALLO'])

    const { task } = resultOf(await a2a.handle(send('wait', { configuration: { returnImmediately: true } }))) as { task: Task }
    const subscription = collect(await a2a.handle({ jsonrpc: '2.0', id: 5, method: 'SubscribeToTask', params: { id: task.id } }))
    await a2a.handle({ jsonrpc: '2.0', id: 6, method: 'CancelTask', params: { id: task.id } })
    const seen = await subscription
    expect(seen[0]).toMatchObject({ task: { id: task.id, status: { state: 'TASK_STATE_WORKING' } } })
    expect(seen.at(-1)).toMatchObject({ statusUpdate: { taskId: task.id, status: { state: 'TASK_STATE_CANCELED' } } })
    // A finished task has nothing more to stream.
    expect(errorOf(await a2a.handle({ jsonrpc: '2.0', id: 7, method: 'SubscribeToTask', params: { id: task.id } }))).toEqual({ code: -32004, name: 'UnsupportedOperationError' })
  })

  it('answers bad requests with A2A\'s error codes', async () => {
    const a2a = server()
    expect(errorOf(await a2a.handle({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'nope' } }))).toEqual({ code: -32001, name: 'TaskNotFoundError' })
    expect(errorOf(await a2a.handle({ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} }))).toEqual({ code: -32601, name: 'A2AMethodNotFoundError' })
    expect(errorOf(await a2a.handle({ jsonrpc: '1.0', id: 1, method: 'GetTask' }))).toEqual({ code: -32600, name: 'InvalidA2ARequestError' })
    expect(errorOf(await a2a.handle({ jsonrpc: '2.0', method: 'GetTask' }))).toEqual({ code: -32600, name: 'InvalidA2ARequestError' })
    expect(errorOf(await a2a.handle({ jsonrpc: '2.0', id: 'x'.repeat(MAX_A2A_ID_LENGTH + 1), method: 'GetTask' })).code).toBe(-32600)
    expect(errorOf(await a2a.handle(send('unknown-skill')))).toEqual({ code: -32602, name: 'InvalidA2AParamsError' })
    expect(errorOf(await a2a.handle({ ...send('upper'), params: { message: { messageId: 'm', role: 'ROLE_USER', parts: [] } } })).code).toBe(-32602)
    const continuing = send('upper')
    ;(continuing.params as { message: Record<string, unknown> }).message.taskId = 'earlier'
    expect(errorOf(await a2a.handle(continuing))).toEqual({ code: -32004, name: 'UnsupportedOperationError' })
    expect(errorOf(await new A2AServer({ agent: () => undefined }).handle(send('upper')))).toEqual({ code: -32004, name: 'UnsupportedOperationError' })
  })

  it('keeps at most maxTasks, evicting the oldest finished one, and forgets finished tasks after their TTL', async () => {
    let now = 1_000_000
    const a2a = server({ maxTasks: 2, ttlMs: 60_000, now: () => now })
    const first = (resultOf(await a2a.handle(send('upper'))) as { task: Task }).task
    const running = (resultOf(await a2a.handle(send('wait', { configuration: { returnImmediately: true } }))) as { task: Task }).task
    const third = (resultOf(await a2a.handle(send('upper'))) as { task: Task }).task
    expect(errorOf(await a2a.handle({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: first.id } })).code).toBe(-32001)
    // Both kept tasks… one running, one finished: the finished one goes for the next.
    expect(a2a.tasks.size).toBe(2)
    const waiting = (resultOf(await a2a.handle(send('wait', { configuration: { returnImmediately: true } }))) as { task: Task }).task
    expect(errorOf(await a2a.handle({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: third.id } })).code).toBe(-32001)
    // Every kept task is running: a new one is refused.
    expect(errorOf(await a2a.handle(send('upper'))).name).toBe('A2ATaskLimitError')
    a2a.tasks.cancel(running.id)
    now += 59_999
    expect(a2a.tasks.size).toBe(2)
    now += 1
    expect(a2a.tasks.size).toBe(1)
    a2a.tasks.cancel(waiting.id)
  })
})
