/**
 * The A2A tasks a peer serves, kept in memory: at most `maxTasks` (running
 * and finished) holding at most about `maxBytes` of JSON (their messages and
 * artifacts), a finished one for `ttlMs` after its last change. A new task,
 * or one that finishes with large artifacts, evicts the oldest finished
 * ones; a new task is refused (A2ATaskLimitError) only when the running
 * tasks alone fill the bound. Every change goes through the
 * state machine (task-state.ts) and reaches the task's subscribers as the
 * StreamResponse event A2A streams carry. The clock is given, not read.
 */
import { A2ATaskLimitError, TaskNotFoundError } from './errors.ts'
import { isTerminal, transition } from './task-state.ts'
import type { Artifact, Message, StreamResponse, Task, TaskState } from './types.ts'

export interface A2ATaskTableInit {
  /** Unix epoch milliseconds. */
  now(): number
  maxTasks: number
  /** The JSON size of the kept tasks (their history and artifacts), in UTF-16 code units. */
  maxBytes: number
  ttlMs: number
}

type Listener = (event: StreamResponse) => void

interface Entry {
  task: Task
  /** The task's JSON size when last measured (made, and finished). */
  bytes: number
  updatedAt: number
  listeners: Set<Listener>
  /** Aborts the task's work (CancelTask). */
  controller: AbortController
  finished: Promise<void>
  finish(): void
}

export class A2ATaskTable {
  private readonly init: A2ATaskTableInit
  private readonly entries = new Map<string, Entry>()
  private bytes = 0

  constructor (init: A2ATaskTableInit) {
    this.init = init
  }

  get size (): number {
    this.sweep()
    return this.entries.size
  }

  /** Keeps a new task, submitted with `message`. Throws A2ATaskLimitError when the running tasks fill the table. */
  create (id: string, contextId: string, message: Message): Task {
    this.sweep()
    const task: Task = { id, contextId, status: { state: 'TASK_STATE_SUBMITTED', timestamp: this.timestamp() }, history: [message] }
    const bytes = JSON.stringify(task).length
    this.evict(this.init.maxTasks - 1, this.init.maxBytes - bytes)
    if (this.entries.size >= this.init.maxTasks || this.bytes + bytes > this.init.maxBytes) {
      throw new A2ATaskLimitError(`the tasks running here fill this peer's table (${this.entries.size} tasks, ${this.bytes} bytes); try again later`)
    }
    let finish = (): void => {}
    const finished = new Promise<void>(resolve => { finish = resolve })
    this.entries.set(id, { task, bytes, updatedAt: this.init.now(), listeners: new Set(), controller: new AbortController(), finished, finish })
    this.bytes += bytes
    return structuredClone(task)
  }

  /** A copy of the task, with its last `historyLength` messages (all when not given). Throws TaskNotFoundError. */
  get (id: string, historyLength?: number): Task {
    const task = structuredClone(this.entry(id).task)
    if (historyLength !== undefined && task.history !== undefined) {
      task.history = historyLength === 0 ? [] : task.history.slice(-historyLength)
      if (task.history.length === 0) delete task.history
    }
    return task
  }

  /** The signal the task's work runs under; aborted by `cancel`. */
  signal (id: string): AbortSignal {
    return this.entry(id).controller.signal
  }

  /** Resolves once the task is in a terminal state. */
  async finished (id: string): Promise<void> {
    await this.entry(id).finished
  }

  /** Moves the task to `state` (InvalidTaskTransitionError when the table forbids it) and tells its subscribers. */
  setState (id: string, state: TaskState, message?: Message, metadata?: Record<string, unknown>): void {
    const entry = this.entry(id)
    const { task } = entry
    task.status = { state: transition(task.status.state, state), timestamp: this.timestamp(), ...(message === undefined ? {} : { message }) }
    if (metadata !== undefined) task.metadata = { ...task.metadata, ...metadata }
    entry.updatedAt = this.init.now()
    this.emit(entry, { statusUpdate: { taskId: id, contextId: task.contextId, status: structuredClone(task.status), ...(metadata === undefined ? {} : { metadata }) } })
    if (isTerminal(state)) {
      entry.finish()
      entry.listeners.clear()
      // Its artifacts are in: measured once, and older finished tasks make room (this one stays, to be read).
      const bytes = JSON.stringify(task).length
      this.bytes += bytes - entry.bytes
      entry.bytes = bytes
      this.evict(this.init.maxTasks, this.init.maxBytes, id)
    }
  }

  addArtifact (id: string, artifact: Artifact): void {
    const entry = this.entry(id)
    if (isTerminal(entry.task.status.state)) return
    ;(entry.task.artifacts ??= []).push(artifact)
    entry.updatedAt = this.init.now()
    this.emit(entry, { artifactUpdate: { taskId: id, contextId: entry.task.contextId, artifact: structuredClone(artifact), lastChunk: true } })
  }

  /** Aborts the task's work and moves it to canceled. Returns false when it is already terminal. */
  cancel (id: string): boolean {
    const entry = this.entry(id)
    if (isTerminal(entry.task.status.state)) return false
    this.setState(id, 'TASK_STATE_CANCELED')
    entry.controller.abort(new DOMException('the task was canceled', 'AbortError'))
    return true
  }

  /**
   * The task's events from now on: its current state (`{ task }`) first,
   * then each change, ending after the terminal status. A finished task
   * gives its state only.
   */
  events (id: string, signal?: AbortSignal): AsyncIterable<StreamResponse> {
    const entry = this.entry(id)
    const queue: StreamResponse[] = [{ task: structuredClone(entry.task) }]
    let ended = isTerminal(entry.task.status.state)
    let wake: (() => void) | undefined
    const listener: Listener = event => {
      queue.push(event)
      if ('statusUpdate' in event && isTerminal(event.statusUpdate.status.state)) ended = true
      wake?.()
    }
    if (!ended) entry.listeners.add(listener)
    const onAbort = (): void => { ended = true; wake?.() }
    signal?.addEventListener('abort', onAbort, { once: true })
    return {
      async * [Symbol.asyncIterator] () {
        try {
          for (;;) {
            const event = queue.shift()
            if (event !== undefined) {
              yield event
              continue
            }
            if (ended || signal?.aborted === true) return
            await new Promise<void>(resolve => { wake = resolve })
            wake = undefined
          }
        } finally {
          entry.listeners.delete(listener)
          signal?.removeEventListener('abort', onAbort)
        }
      }
    }
  }

  private entry (id: string): Entry {
    this.sweep()
    const entry = this.entries.get(id)
    if (entry === undefined) throw new TaskNotFoundError(`no task ${id} here (tasks are kept ${this.init.ttlMs / 60_000} min after they end)`)
    return entry
  }

  private emit (entry: Entry, event: StreamResponse): void {
    for (const listener of entry.listeners) listener(event)
  }

  /** Forgets finished tasks past their time to live. */
  private sweep (): void {
    const now = this.init.now()
    for (const [id, entry] of this.entries) {
      if (isTerminal(entry.task.status.state) && now - entry.updatedAt >= this.init.ttlMs) this.forget(id, entry)
    }
  }

  /** Forgets the oldest finished tasks (but `keep`) until at most `count` tasks of at most `bytes` remain, or none finished is left. */
  private evict (count: number, bytes: number, keep?: string): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= count && this.bytes <= bytes) return
      if (id !== keep && isTerminal(entry.task.status.state)) this.forget(id, entry)
    }
  }

  private forget (id: string, entry: Entry): void {
    this.entries.delete(id)
    this.bytes -= entry.bytes
  }

  private timestamp (): string {
    return new Date(this.init.now()).toISOString()
  }
}
