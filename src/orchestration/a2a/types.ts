/**
 * A2A 1.0's objects as they travel: the ProtoJSON form of a2a.proto (package
 * lf.a2a.v1) — camelCase members, enums by name (`TASK_STATE_COMPLETED`),
 * bytes as base64, a member left out when it has its default. Both bindings
 * (libp2p and HTTP JSON-RPC) carry exactly these shapes.
 */

/** A2A 1.0 TaskState (a2a.proto `TaskState`), without UNSPECIFIED. */
export const TASK_STATES = [
  'TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING', 'TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED',
  'TASK_STATE_INPUT_REQUIRED', 'TASK_STATE_REJECTED', 'TASK_STATE_AUTH_REQUIRED'
] as const
export type TaskState = typeof TASK_STATES[number]

export type Role = 'ROLE_USER' | 'ROLE_AGENT'

/**
 * A part of a message or artifact: exactly one of `text`, `raw` (bytes,
 * base64), `url` or `data` (any JSON value), with an optional media type,
 * filename and metadata.
 */
export interface Part {
  text?: string
  raw?: string
  url?: string
  data?: unknown
  mediaType?: string
  filename?: string
  metadata?: Record<string, unknown>
}

export interface Message {
  messageId: string
  contextId?: string
  taskId?: string
  role: Role
  parts: Part[]
  metadata?: Record<string, unknown>
  extensions?: string[]
  referenceTaskIds?: string[]
}

export interface TaskStatus {
  state: TaskState
  message?: Message
  /** ISO 8601 (RFC 3339) time of the change. */
  timestamp?: string
}

export interface Artifact {
  artifactId: string
  name?: string
  description?: string
  parts: Part[]
  metadata?: Record<string, unknown>
  extensions?: string[]
}

export interface Task {
  id: string
  contextId: string
  status: TaskStatus
  artifacts?: Artifact[]
  history?: Message[]
  metadata?: Record<string, unknown>
}

export interface TaskStatusUpdateEvent {
  taskId: string
  contextId: string
  status: TaskStatus
  metadata?: Record<string, unknown>
}

export interface TaskArtifactUpdateEvent {
  taskId: string
  contextId: string
  artifact: Artifact
  append?: boolean
  lastChunk?: boolean
  metadata?: Record<string, unknown>
}

/** One event of SendStreamingMessage / SubscribeToTask (a2a.proto `StreamResponse`): exactly one member. */
export type StreamResponse =
  | { task: Task }
  | { message: Message }
  | { statusUpdate: TaskStatusUpdateEvent }
  | { artifactUpdate: TaskArtifactUpdateEvent }

/** SendMessageConfiguration, the members this peer reads. */
export interface SendMessageConfiguration {
  acceptedOutputModes?: string[]
  historyLength?: number
  /** Answer at once with the submitted task instead of waiting for a terminal state. */
  returnImmediately?: boolean
}

export interface SendMessageParams {
  message: Message
  configuration?: SendMessageConfiguration
  metadata?: Record<string, unknown>
}

export interface TaskIdParams {
  id: string
  historyLength?: number
}

/** The methods served, by their A2A 1.0 JSON-RPC names (PascalCase, as the gRPC service's methods). */
export const A2A_METHODS = ['SendMessage', 'SendStreamingMessage', 'GetTask', 'CancelTask', 'SubscribeToTask'] as const
export type A2AMethod = typeof A2A_METHODS[number]

/** The methods whose answer is a stream of StreamResponse events. */
export const A2A_STREAMING_METHODS: ReadonlySet<string> = new Set(['SendStreamingMessage', 'SubscribeToTask'])

export type JsonRpcId = string | number | null

export interface JsonRpcError {
  code: number
  message: string
  data?: { name: string }
}

export type JsonRpcResponse =
  | { jsonrpc: '2.0', id: JsonRpcId, result: unknown }
  | { jsonrpc: '2.0', id: JsonRpcId, error: JsonRpcError }
