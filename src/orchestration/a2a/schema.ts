/**
 * Strict checks of A2A 1.0 objects (ProtoJSON of a2a.proto) arriving from
 * outside: every member known, every string and list bounded (constants.ts).
 * A value that passes is copied out member by member, so nothing else rides
 * along. Requests fail with InvalidA2AParamsError; answers read by a client
 * with InvalidAgentResponseError (`fail` says which).
 */
import { isWellFormedString, utf8ToBytes } from '../../core/encoding.ts'
import { base64ToBytes } from './base64.ts'
import {
  MAX_A2A_DATA_BYTES, MAX_A2A_ID_LENGTH, MAX_A2A_LIST_ENTRIES, MAX_A2A_NAME_LENGTH, MAX_A2A_PARTS, MAX_A2A_RAW_BYTES, MAX_A2A_TEXT_BYTES
} from './constants.ts'
import { InvalidA2AParamsError, InvalidAgentResponseError, PushNotificationNotSupportedError } from './errors.ts'
import { TASK_STATES } from './types.ts'
import type {
  Artifact, Message, Part, Role, SendMessageConfiguration, SendMessageParams, StreamResponse, Task, TaskIdParams, TaskState, TaskStatus
} from './types.ts'

type Fail = (field: string, message: string) => Error

const requestFail: Fail = (field, message) => new InvalidA2AParamsError(`${field} ${message}`)
const answerFail: Fail = (field, message) => new InvalidAgentResponseError(`${field} ${message}`)

type Json = Record<string, unknown>

function object (value: unknown, field: string, fail: Fail): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(field, 'must be a JSON object')
  return value as Json
}

function members (record: Json, allowed: readonly string[], field: string, fail: Fail): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) throw fail(`${field}.${key}`, 'is not a member this peer knows')
  }
}

function text (value: unknown, field: string, fail: Fail, max: number, min = 0): string {
  if (typeof value !== 'string' || !isWellFormedString(value)) throw fail(field, 'must be a string')
  if (value.length < min || value.length > max) throw fail(field, `must be ${min} to ${max} characters`)
  return value
}

function id (value: unknown, field: string, fail: Fail): string {
  return text(value, field, fail, MAX_A2A_ID_LENGTH, 1)
}

function optional<T> (record: Json, key: string, read: (value: unknown) => T): T | undefined {
  return record[key] === undefined ? undefined : read(record[key])
}

/** Copies the optional members that are present: ProtoJSON leaves a member at its default out. */
function present<T extends object> (value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

function list<T> (value: unknown, field: string, fail: Fail, max: number, read: (item: unknown, field: string) => T): T[] {
  if (!Array.isArray(value)) throw fail(field, 'must be an array')
  if (value.length > max) throw fail(field, `must have at most ${max} entries`)
  return (value as unknown[]).map((item, i) => read(item, `${field}[${i}]`))
}

/** A JSON object (metadata) or a data part's value, bounded by its JSON text. */
function jsonValue (value: unknown, field: string, fail: Fail): unknown {
  let textForm: string
  try {
    textForm = JSON.stringify(value)
  } catch {
    throw fail(field, 'must be JSON')
  }
  if (utf8ToBytes(textForm).byteLength > MAX_A2A_DATA_BYTES) throw fail(field, `must be at most ${MAX_A2A_DATA_BYTES} bytes as JSON`)
  return JSON.parse(textForm) as unknown
}

function metadata (value: unknown, field: string, fail: Fail): Json {
  return jsonValue(object(value, field, fail), field, fail) as Json
}

const PART_MEMBERS = ['text', 'raw', 'url', 'data', 'mediaType', 'filename', 'metadata']
const CONTENT_MEMBERS = ['text', 'raw', 'url', 'data']

export function readPart (value: unknown, field: string, fail: Fail = requestFail): Part {
  const record = object(value, field, fail)
  members(record, PART_MEMBERS, field, fail)
  const contents = CONTENT_MEMBERS.filter(key => record[key] !== undefined)
  if (contents.length !== 1) throw fail(field, 'must have exactly one of text, raw, url, data')
  const part: Part = {}
  if (record.text !== undefined) {
    part.text = text(record.text, `${field}.text`, fail, Number.MAX_SAFE_INTEGER)
    if (utf8ToBytes(part.text).byteLength > MAX_A2A_TEXT_BYTES) throw fail(`${field}.text`, `must be at most ${MAX_A2A_TEXT_BYTES} bytes of UTF-8`)
  } else if (record.raw !== undefined) {
    const raw = text(record.raw, `${field}.raw`, fail, Math.ceil(MAX_A2A_RAW_BYTES / 3) * 4)
    try {
      base64ToBytes(raw)
    } catch {
      throw fail(`${field}.raw`, 'must be base64')
    }
    part.raw = raw
  } else if (record.url !== undefined) {
    part.url = text(record.url, `${field}.url`, fail, 2048, 1)
  } else {
    part.data = jsonValue(record.data, `${field}.data`, fail)
  }
  return present({
    ...part,
    mediaType: optional(record, 'mediaType', v => text(v, `${field}.mediaType`, fail, MAX_A2A_NAME_LENGTH)),
    filename: optional(record, 'filename', v => text(v, `${field}.filename`, fail, MAX_A2A_NAME_LENGTH)),
    metadata: optional(record, 'metadata', v => metadata(v, `${field}.metadata`, fail))
  })
}

function parts (value: unknown, field: string, fail: Fail): Part[] {
  return list(value, field, fail, MAX_A2A_PARTS, (item, itemField) => readPart(item, itemField, fail))
}

function role (value: unknown, field: string, fail: Fail): Role {
  if (value !== 'ROLE_USER' && value !== 'ROLE_AGENT') throw fail(field, 'must be ROLE_USER or ROLE_AGENT')
  return value
}

const MESSAGE_MEMBERS = ['messageId', 'contextId', 'taskId', 'role', 'parts', 'metadata', 'extensions', 'referenceTaskIds']

export function readMessage (value: unknown, field = 'message', fail: Fail = requestFail): Message {
  const record = object(value, field, fail)
  members(record, MESSAGE_MEMBERS, field, fail)
  const message: Message = present({
    messageId: id(record.messageId, `${field}.messageId`, fail),
    contextId: optional(record, 'contextId', v => id(v, `${field}.contextId`, fail)),
    taskId: optional(record, 'taskId', v => id(v, `${field}.taskId`, fail)),
    role: role(record.role, `${field}.role`, fail),
    parts: parts(record.parts, `${field}.parts`, fail),
    metadata: optional(record, 'metadata', v => metadata(v, `${field}.metadata`, fail)),
    extensions: optional(record, 'extensions', v => list(v, `${field}.extensions`, fail, MAX_A2A_LIST_ENTRIES, (item, f) => text(item, f, fail, 2048, 1))),
    referenceTaskIds: optional(record, 'referenceTaskIds', v => list(v, `${field}.referenceTaskIds`, fail, MAX_A2A_LIST_ENTRIES, (item, f) => id(item, f, fail)))
  })
  if (message.parts.length === 0) throw fail(`${field}.parts`, 'must have at least one part')
  return message
}

function historyLength (value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw requestFail(field, 'must be a whole number from 0')
  return value
}

const CONFIGURATION_MEMBERS = ['acceptedOutputModes', 'taskPushNotificationConfig', 'historyLength', 'returnImmediately']

function readConfiguration (value: unknown): SendMessageConfiguration {
  const record = object(value, 'configuration', requestFail)
  members(record, CONFIGURATION_MEMBERS, 'configuration', requestFail)
  // The card says capabilities.pushNotifications: false.
  if (record.taskPushNotificationConfig !== undefined) throw new PushNotificationNotSupportedError('this agent sends no push notifications')
  if (record.returnImmediately !== undefined && typeof record.returnImmediately !== 'boolean') {
    throw requestFail('configuration.returnImmediately', 'must be true or false')
  }
  return present({
    acceptedOutputModes: optional(record, 'acceptedOutputModes', v => list(v, 'configuration.acceptedOutputModes', requestFail, MAX_A2A_LIST_ENTRIES, (item, f) => text(item, f, requestFail, MAX_A2A_NAME_LENGTH, 1))),
    historyLength: optional(record, 'historyLength', v => historyLength(v, 'configuration.historyLength')),
    returnImmediately: record.returnImmediately as boolean | undefined
  })
}

/** SendMessage / SendStreamingMessage params (a2a.proto `SendMessageRequest`). */
export function readSendMessageParams (value: unknown): SendMessageParams {
  const record = object(value, 'params', requestFail)
  members(record, ['tenant', 'message', 'configuration', 'metadata'], 'params', requestFail)
  if (record.tenant !== undefined && record.tenant !== '') throw requestFail('params.tenant', 'must be empty: this agent has no tenants')
  return present({
    message: readMessage(record.message, 'params.message'),
    configuration: optional(record, 'configuration', readConfiguration),
    metadata: optional(record, 'metadata', v => metadata(v, 'params.metadata', requestFail))
  })
}

/** GetTask / CancelTask / SubscribeToTask params. */
export function readTaskIdParams (value: unknown): TaskIdParams {
  const record = object(value, 'params', requestFail)
  members(record, ['tenant', 'id', 'historyLength', 'metadata'], 'params', requestFail)
  if (record.tenant !== undefined && record.tenant !== '') throw requestFail('params.tenant', 'must be empty: this agent has no tenants')
  return present({
    id: id(record.id, 'params.id', requestFail),
    historyLength: optional(record, 'historyLength', v => historyLength(v, 'params.historyLength'))
  })
}

function state (value: unknown, field: string, fail: Fail): TaskState {
  if (!(TASK_STATES as readonly unknown[]).includes(value)) throw fail(field, `must be one of ${TASK_STATES.join(', ')}`)
  return value as TaskState
}

function readStatus (value: unknown, field: string, fail: Fail): TaskStatus {
  const record = object(value, field, fail)
  members(record, ['state', 'message', 'timestamp'], field, fail)
  return present({
    state: state(record.state, `${field}.state`, fail),
    message: optional(record, 'message', v => readMessage(v, `${field}.message`, fail)),
    timestamp: optional(record, 'timestamp', v => text(v, `${field}.timestamp`, fail, 64, 1))
  })
}

export function readArtifact (value: unknown, field: string, fail: Fail = answerFail): Artifact {
  const record = object(value, field, fail)
  members(record, ['artifactId', 'name', 'description', 'parts', 'metadata', 'extensions'], field, fail)
  return present({
    artifactId: id(record.artifactId, `${field}.artifactId`, fail),
    name: optional(record, 'name', v => text(v, `${field}.name`, fail, MAX_A2A_NAME_LENGTH)),
    description: optional(record, 'description', v => text(v, `${field}.description`, fail, 4096)),
    parts: parts(record.parts, `${field}.parts`, fail),
    metadata: optional(record, 'metadata', v => metadata(v, `${field}.metadata`, fail)),
    extensions: optional(record, 'extensions', v => list(v, `${field}.extensions`, fail, MAX_A2A_LIST_ENTRIES, (item, f) => text(item, f, fail, 2048, 1)))
  })
}

/** A Task in an agent's answer, checked as a client must before it trusts any member. */
export function readTask (value: unknown, field = 'task', fail: Fail = answerFail): Task {
  const record = object(value, field, fail)
  members(record, ['id', 'contextId', 'status', 'artifacts', 'history', 'metadata'], field, fail)
  return present({
    id: id(record.id, `${field}.id`, fail),
    contextId: id(record.contextId, `${field}.contextId`, fail),
    status: readStatus(record.status, `${field}.status`, fail),
    artifacts: optional(record, 'artifacts', v => list(v, `${field}.artifacts`, fail, MAX_A2A_PARTS, (item, f) => readArtifact(item, f, fail))),
    history: optional(record, 'history', v => list(v, `${field}.history`, fail, MAX_A2A_PARTS, (item, f) => readMessage(item, f, fail))),
    metadata: optional(record, 'metadata', v => metadata(v, `${field}.metadata`, fail))
  })
}

/** One event of a stream in an agent's answer. */
export function readStreamResponse (value: unknown): StreamResponse {
  const record = object(value, 'result', answerFail)
  const keys = Object.keys(record)
  if (keys.length !== 1) throw answerFail('result', 'must have exactly one of task, message, statusUpdate, artifactUpdate')
  if (record.task !== undefined) return { task: readTask(record.task, 'result.task') }
  if (record.message !== undefined) return { message: readMessage(record.message, 'result.message', answerFail) }
  if (record.statusUpdate !== undefined) {
    const event = object(record.statusUpdate, 'result.statusUpdate', answerFail)
    members(event, ['taskId', 'contextId', 'status', 'metadata'], 'result.statusUpdate', answerFail)
    return {
      statusUpdate: present({
        taskId: id(event.taskId, 'result.statusUpdate.taskId', answerFail),
        contextId: id(event.contextId, 'result.statusUpdate.contextId', answerFail),
        status: readStatus(event.status, 'result.statusUpdate.status', answerFail),
        metadata: optional(event, 'metadata', v => metadata(v, 'result.statusUpdate.metadata', answerFail))
      })
    }
  }
  if (record.artifactUpdate !== undefined) {
    const event = object(record.artifactUpdate, 'result.artifactUpdate', answerFail)
    members(event, ['taskId', 'contextId', 'artifact', 'append', 'lastChunk', 'metadata'], 'result.artifactUpdate', answerFail)
    return {
      artifactUpdate: present({
        taskId: id(event.taskId, 'result.artifactUpdate.taskId', answerFail),
        contextId: id(event.contextId, 'result.artifactUpdate.contextId', answerFail),
        artifact: readArtifact(event.artifact, 'result.artifactUpdate.artifact'),
        append: typeof event.append === 'boolean' ? event.append : undefined,
        lastChunk: typeof event.lastChunk === 'boolean' ? event.lastChunk : undefined,
        metadata: optional(event, 'metadata', v => metadata(v, 'result.artifactUpdate.metadata', answerFail))
      })
    }
  }
  throw answerFail(`result.${keys[0] ?? ''}`, 'is not a StreamResponse member')
}
