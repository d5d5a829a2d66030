/**
 * The agent side of A2A 1.0 over JSON-RPC 2.0, whichever binding carries it
 * (the libp2p protocol in service.ts, the Node HTTP bridge): a request object
 * in, a response object — or, for SendStreamingMessage and SubscribeToTask,
 * a stream of them — out. What a message asks for is the injected agent's
 * business (A2AAgent: the peer layer submits it into the mesh); this file
 * keeps the tasks (task-table.ts), their states and their events.
 */
import { A2A_TASK_TTL_MS, A2A_ERROR_CODES, MAX_A2A_ID_LENGTH, MAX_A2A_TASK_BYTES, MAX_A2A_TASKS } from './constants.ts'
import {
  A2AError, A2AMethodNotFoundError, InvalidA2ARequestError, TaskNotCancelableError, UnsupportedOperationError
} from './errors.ts'
import { readSendMessageParams, readTaskIdParams } from './schema.ts'
import { isTerminal } from './task-state.ts'
import { A2ATaskTable } from './task-table.ts'
import { A2A_METHODS, A2A_STREAMING_METHODS } from './types.ts'
import type { Artifact, JsonRpcId, JsonRpcResponse, Message, SendMessageParams, StreamResponse } from './types.ts'

/** How a task's work ended: completed or failed, with what it produced. */
export interface A2ATaskOutcome {
  state: 'TASK_STATE_COMPLETED' | 'TASK_STATE_FAILED'
  artifacts: Artifact[]
  /** Said as the final status message's text (why it failed, its exit code). */
  statusText?: string
  /** Merged into the task's metadata (e.g. the executor and receipt hash). */
  metadata?: Record<string, unknown>
}

export interface A2ATaskContext {
  taskId: string
  contextId: string
  /** Aborted when the task is canceled. */
  signal: AbortSignal
}

/** The work one accepted message asks for. */
export interface A2AWork {
  /** Rejects when the work fails (the task fails with the error's name and message), or with the signal's reason when canceled. */
  run(context: A2ATaskContext): Promise<A2ATaskOutcome>
}

/** What turns messages into work: the agent this peer serves. */
export interface A2AAgent {
  /** Checks the message and returns its work, or throws an A2AError: answered as a JSON-RPC error, and no task is made. */
  accept(message: Message, options: { signal?: AbortSignal }): Promise<A2AWork>
}

export interface A2AServerInit {
  /** Tasks kept (default MAX_A2A_TASKS). */
  maxTasks?: number
  /** The JSON size of the kept tasks (default MAX_A2A_TASK_BYTES). */
  maxBytes?: number
  /** How long a finished task is kept (default A2A_TASK_TTL_MS). */
  ttlMs?: number
  /** Unix epoch milliseconds (default Date.now). */
  now?(): number
  /** A fresh task or context id (default crypto.randomUUID). */
  randomId?(): string
}

export interface A2AServerComponents {
  /** The agent; while there is none, SendMessage answers UnsupportedOperationError. */
  agent(): A2AAgent | undefined
}

/** One answer: a response object, or a stream of them (one per StreamResponse event). */
export type A2AAnswer = { response: JsonRpcResponse } | { stream: AsyncIterable<JsonRpcResponse> }

export class A2AServer {
  readonly tasks: A2ATaskTable
  private readonly components: A2AServerComponents
  private readonly randomId: () => string

  constructor (components: A2AServerComponents, init: A2AServerInit = {}) {
    this.components = components
    this.randomId = init.randomId ?? (() => crypto.randomUUID())
    this.tasks = new A2ATaskTable({ now: init.now ?? Date.now, maxTasks: init.maxTasks ?? MAX_A2A_TASKS, maxBytes: init.maxBytes ?? MAX_A2A_TASK_BYTES, ttlMs: init.ttlMs ?? A2A_TASK_TTL_MS })
  }

  /** Answers one JSON-RPC request object (already parsed from JSON). Never rejects: a failure is an error response. */
  async handle (request: unknown, options: { signal?: AbortSignal } = {}): Promise<A2AAnswer> {
    let id: JsonRpcId = null
    try {
      const checked = readRequest(request)
      id = checked.id
      const { method, params } = checked
      if (A2A_STREAMING_METHODS.has(method)) {
        const events = method === 'SendStreamingMessage'
          ? await this.sendStreaming(readSendMessageParams(params), options.signal)
          : this.subscribe(readTaskIdParams(params).id, options.signal)
        return { stream: responses(id, events) }
      }
      return { response: { jsonrpc: '2.0', id, result: await this.call(method, params, options.signal) } }
    } catch (err) {
      return { response: errorResponse(id, err) }
    }
  }

  private async call (method: string, params: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    switch (method) {
      case 'SendMessage': {
        const checked = readSendMessageParams(params)
        const { id, begin } = await this.accept(checked, signal)
        begin()
        if (checked.configuration?.returnImmediately !== true) await this.tasks.finished(id)
        return { task: this.tasks.get(id, checked.configuration?.historyLength) }
      }
      case 'GetTask': {
        const { id, historyLength } = readTaskIdParams(params)
        return this.tasks.get(id, historyLength)
      }
      case 'CancelTask': {
        const { id } = readTaskIdParams(params)
        if (!this.tasks.cancel(id)) throw new TaskNotCancelableError(`task ${id} is ${this.tasks.get(id).status.state}; only a task that has not ended can be canceled`)
        return this.tasks.get(id)
      }
      default:
        throw new A2AMethodNotFoundError(`${method} is not a method this agent serves (${A2A_METHODS.join(', ')})`)
    }
  }

  private async sendStreaming (params: SendMessageParams, signal: AbortSignal | undefined): Promise<AsyncIterable<StreamResponse>> {
    const { id, begin } = await this.accept(params, signal)
    // Subscribed before the work begins, so that no event is missed.
    const events = this.tasks.events(id, signal)
    begin()
    return events
  }

  private subscribe (id: string, signal: AbortSignal | undefined): AsyncIterable<StreamResponse> {
    const state = this.tasks.get(id).status.state
    // A2A 1.0 (SubscribeToTask): subscribing to a task in a terminal state is an UnsupportedOperationError.
    if (isTerminal(state)) throw new UnsupportedOperationError(`task ${id} is ${state}: there is nothing more to stream`)
    return this.tasks.events(id, signal)
  }

  /** Accepts the message and keeps its task, submitted; `begin` starts its work. */
  private async accept ({ message }: SendMessageParams, signal: AbortSignal | undefined): Promise<{ id: string, begin(): void }> {
    // Every task here is one message: A2A's multi-turn tasks (input-required) are not offered.
    if (message.taskId !== undefined) throw new UnsupportedOperationError('a message to an existing task is not supported: each task here is one message')
    if (message.role !== 'ROLE_USER') throw new InvalidA2ARequestError('params.message.role must be ROLE_USER')
    const agent = this.components.agent()
    if (agent === undefined) throw new UnsupportedOperationError('this peer serves no A2A agent')
    const work = await agent.accept(message, { signal })
    const id = this.randomId()
    const contextId = message.contextId ?? this.randomId()
    this.tasks.create(id, contextId, { ...message, taskId: id, contextId })
    return { id, begin: () => { this.begin(id, contextId, work) } }
  }

  private begin (id: string, contextId: string, work: A2AWork): void {
    const taskSignal = this.tasks.signal(id)
    this.tasks.setState(id, 'TASK_STATE_WORKING')
    const ended = (): boolean => isTerminal(this.tasks.get(id).status.state)
    work.run({ taskId: id, contextId, signal: taskSignal }).then(outcome => {
      if (ended()) return
      for (const artifact of outcome.artifacts) this.tasks.addArtifact(id, artifact)
      this.tasks.setState(id, outcome.state, outcome.statusText === undefined ? undefined : this.agentMessage(id, contextId, outcome.statusText), outcome.metadata)
    }, (err: unknown) => {
      if (ended()) return
      const error = err instanceof Error ? err : new Error(String(err))
      this.tasks.setState(id, 'TASK_STATE_FAILED', this.agentMessage(id, contextId, `${error.name}: ${error.message}`))
    }).catch(() => {
      // The task was forgotten (evicted) while its work ran: there is no one left to tell.
    })
  }

  private agentMessage (taskId: string, contextId: string, text: string): Message {
    return { messageId: this.randomId(), taskId, contextId, role: 'ROLE_AGENT', parts: [{ text }] }
  }
}

function readRequest (value: unknown): { id: JsonRpcId, method: string, params: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidA2ARequestError('a request must be a JSON-RPC 2.0 request object (batches are not served)')
  const record = value as Record<string, unknown>
  if (record.jsonrpc !== '2.0') throw new InvalidA2ARequestError('jsonrpc must be "2.0"')
  const { id } = record
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)))) throw new InvalidA2ARequestError('id must be a string or a whole number (notifications are not served)')
  if (typeof id === 'string' && id.length > MAX_A2A_ID_LENGTH) throw new InvalidA2ARequestError(`id must be at most ${MAX_A2A_ID_LENGTH} characters`)
  if (typeof record.method !== 'string' || record.method.length === 0 || record.method.length > MAX_A2A_ID_LENGTH) throw new InvalidA2ARequestError('method must be a name')
  return { id, method: record.method, params: record.params ?? {} }
}

/** A JSON-RPC error response for `err`: an A2AError's own code, else an internal error. */
export function errorResponse (id: JsonRpcId, err: unknown): JsonRpcResponse {
  const error = err instanceof Error ? err : new Error(String(err))
  const code = error instanceof A2AError ? error.code : A2A_ERROR_CODES.internalError
  return { jsonrpc: '2.0', id, error: { code, message: error.message.slice(0, 1000), data: { name: error.name } } }
}

async function * responses (id: JsonRpcId, events: AsyncIterable<StreamResponse>): AsyncIterable<JsonRpcResponse> {
  try {
    for await (const event of events) yield { jsonrpc: '2.0', id, result: event }
  } catch (err) {
    yield errorResponse(id, err)
  }
}
