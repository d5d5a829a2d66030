/**
 * The requesting side of /zerostate/a2a/1.0.0: A2A 1.0 methods called on a
 * peer over a libp2p connection. Every answer is checked against the A2A
 * schema before it is returned (InvalidAgentResponseError), and a JSON-RPC
 * error comes back as an A2ARemoteError carrying its code and name.
 *
 * @example
 * ```ts
 * const task = await sendA2AMessage(connection, { message: { messageId: crypto.randomUUID(), role: 'ROLE_USER',
 *   parts: [{ text: 'Hallo Welt' }], metadata: { skill: 'lang-detect' } } })
 * for await (const event of streamA2AMessage(connection, params)) console.log(event)
 * ```
 */
import type { AbortOptions, Connection } from '@libp2p/interface'
import { withTimeout } from '../../core/abort.ts'
import { A2A_PROTOCOL, A2A_REQUEST_TIMEOUT_MS, MAX_A2A_REQUEST_BYTES, MAX_A2A_RESPONSE_BYTES } from './constants.ts'
import { A2ARemoteError, InvalidA2AParamsError, InvalidAgentResponseError } from './errors.ts'
import { readStreamResponse, readTask } from './schema.ts'
import { isTerminal } from './task-state.ts'
import type { A2AMethod, SendMessageParams, StreamResponse, Task, TaskIdParams } from './types.ts'
import { jsonFrames, readFrame, writeFrame } from './wire.ts'
import type { JsonFrames } from './wire.ts'

/** SendMessage: resolves with the task (terminal, unless `configuration.returnImmediately`). */
export async function sendA2AMessage (connection: Connection, params: SendMessageParams, options: AbortOptions = {}): Promise<Task> {
  const result = await callA2A(connection, 'SendMessage', params, options)
  const record = typeof result === 'object' && result !== null ? result as Record<string, unknown> : {}
  if (record.task === undefined) throw new InvalidAgentResponseError('SendMessage answered without a task')
  return readTask(record.task)
}

export async function getA2ATask (connection: Connection, params: TaskIdParams, options: AbortOptions = {}): Promise<Task> {
  return readTask(await callA2A(connection, 'GetTask', params, options))
}

export async function cancelA2ATask (connection: Connection, params: TaskIdParams, options: AbortOptions = {}): Promise<Task> {
  return readTask(await callA2A(connection, 'CancelTask', params, options))
}

/** SendStreamingMessage: the task, then its status and artifact updates, ending with its terminal status. */
export function streamA2AMessage (connection: Connection, params: SendMessageParams, options: AbortOptions = {}): AsyncGenerator<StreamResponse> {
  return streamA2A(connection, 'SendStreamingMessage', params, options)
}

/** SubscribeToTask: a running task's state, then its updates to the end. */
export function subscribeToA2ATask (connection: Connection, params: TaskIdParams, options: AbortOptions = {}): AsyncGenerator<StreamResponse> {
  return streamA2A(connection, 'SubscribeToTask', params, options)
}

async function open (connection: Connection, method: A2AMethod, params: unknown, options: AbortOptions): Promise<{ frames: JsonFrames, close(): Promise<void>, abort(err: Error): void }> {
  const request = { jsonrpc: '2.0', id: 1, method, params }
  if (JSON.stringify(request).length > MAX_A2A_REQUEST_BYTES) throw new InvalidA2AParamsError(`the request is larger than ${MAX_A2A_REQUEST_BYTES} bytes`)
  const stream = await connection.newStream(A2A_PROTOCOL, { signal: withTimeout(options.signal, A2A_REQUEST_TIMEOUT_MS), runOnLimitedConnection: true })
  const frames = jsonFrames(stream, MAX_A2A_RESPONSE_BYTES)
  try {
    await writeFrame(frames, request, { signal: withTimeout(options.signal, A2A_REQUEST_TIMEOUT_MS) })
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
  return {
    frames,
    close: async () => { await stream.close().catch(() => {}) },
    abort: err => { stream.abort(err) }
  }
}

/** The `result` of one response frame; an `error` member is thrown as A2ARemoteError. */
function resultOf (text: string | undefined): unknown {
  if (text === undefined) throw new InvalidAgentResponseError('the agent closed the stream without an answer')
  let response: unknown
  try {
    response = JSON.parse(text)
  } catch {
    throw new InvalidAgentResponseError('the answer is not JSON')
  }
  if (typeof response !== 'object' || response === null || (response as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
    throw new InvalidAgentResponseError('the answer is not a JSON-RPC 2.0 response')
  }
  const record = response as { result?: unknown, error?: { code?: unknown, message?: unknown, data?: { name?: unknown } } }
  if (record.error !== undefined) {
    const { code, message, data } = record.error
    throw new A2ARemoteError(typeof code === 'number' ? code : 0, typeof data?.name === 'string' ? data.name.slice(0, 100) : 'Error',
      typeof message === 'string' ? message.slice(0, 1000) : '')
  }
  if (record.result === undefined) throw new InvalidAgentResponseError('the answer has neither result nor error')
  return record.result
}

async function callA2A (connection: Connection, method: A2AMethod, params: unknown, options: AbortOptions): Promise<unknown> {
  const call = await open(connection, method, params, options)
  try {
    const result = resultOf(await readFrame(call.frames, { signal: withTimeout(options.signal, A2A_REQUEST_TIMEOUT_MS) }))
    await call.close()
    return result
  } catch (err) {
    call.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

async function * streamA2A (connection: Connection, method: A2AMethod, params: unknown, options: AbortOptions): AsyncGenerator<StreamResponse> {
  const call = await open(connection, method, params, options)
  let done = false
  try {
    while (!done) {
      const event = readStreamResponse(resultOf(await readFrame(call.frames, { signal: withTimeout(options.signal, A2A_REQUEST_TIMEOUT_MS) })))
      done = ('statusUpdate' in event && isTerminal(event.statusUpdate.status.state)) || ('task' in event && isTerminal(event.task.status.state)) || 'message' in event
      yield event
    }
    await call.close()
  } catch (err) {
    call.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  } finally {
    if (!done) call.abort(new Error('the caller stopped reading'))
  }
}
