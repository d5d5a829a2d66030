/**
 * One class per A2A failure, each carrying the JSON-RPC error code it is
 * answered with (constants.ts, A2A 1.0's error codes). Both bindings answer with
 * `{ code, message, data: { name } }`; callers check `err.name` or `code`.
 */
import { nameError } from '../../core/errors.ts'
import { A2A_ERROR_CODES } from './constants.ts'

/** The base of every error an A2A request is answered with. */
export abstract class A2AError extends Error {
  static { nameError(this, 'A2AError') }
  abstract readonly code: number
}

/** Thrown when a request body is not JSON. */
export class A2AParseError extends A2AError {
  static { nameError(this, 'A2AParseError') }
  readonly code = A2A_ERROR_CODES.parseError
}

/** Thrown when a request is not a JSON-RPC 2.0 request object. */
export class InvalidA2ARequestError extends A2AError {
  static { nameError(this, 'InvalidA2ARequestError') }
  readonly code = A2A_ERROR_CODES.invalidRequest
}

/** Thrown when the method is not one this peer serves. */
export class A2AMethodNotFoundError extends A2AError {
  static { nameError(this, 'A2AMethodNotFoundError') }
  readonly code = A2A_ERROR_CODES.methodNotFound
}

/** Thrown when a method's params break the A2A schema or a limit (the message names the field). */
export class InvalidA2AParamsError extends A2AError {
  static { nameError(this, 'InvalidA2AParamsError') }
  readonly code = A2A_ERROR_CODES.invalidParams
}

/** Thrown when no task of that id is kept here (never made, or expired). */
export class TaskNotFoundError extends A2AError {
  static { nameError(this, 'TaskNotFoundError') }
  readonly code = A2A_ERROR_CODES.taskNotFound
}

/** Thrown when CancelTask names a task already in a terminal state. */
export class TaskNotCancelableError extends A2AError {
  static { nameError(this, 'TaskNotCancelableError') }
  readonly code = A2A_ERROR_CODES.taskNotCancelable
}

/** Thrown when a message asks for push notifications: the Agent Card says this agent sends none. */
export class PushNotificationNotSupportedError extends A2AError {
  static { nameError(this, 'PushNotificationNotSupportedError') }
  readonly code = A2A_ERROR_CODES.pushNotificationNotSupported
}

/** Thrown for what A2A allows and this peer does not do (push notifications, continuing a task, subscribing to a finished one). */
export class UnsupportedOperationError extends A2AError {
  static { nameError(this, 'UnsupportedOperationError') }
  readonly code = A2A_ERROR_CODES.unsupportedOperation
}

/** Thrown when a part's kind or media type cannot be turned into a task input (a file by URL). */
export class ContentTypeNotSupportedError extends A2AError {
  static { nameError(this, 'ContentTypeNotSupportedError') }
  readonly code = A2A_ERROR_CODES.contentTypeNotSupported
}

/** Thrown on the requesting side when an answer breaks the A2A schema. */
export class InvalidAgentResponseError extends A2AError {
  static { nameError(this, 'InvalidAgentResponseError') }
  readonly code = A2A_ERROR_CODES.invalidAgentResponse
}

/** Thrown when a request asks for an A2A version other than 1.x. */
export class A2AVersionNotSupportedError extends A2AError {
  static { nameError(this, 'A2AVersionNotSupportedError') }
  readonly code = A2A_ERROR_CODES.versionNotSupported
}

/** Thrown when the peer keeps as many running tasks as it may and can take no other. */
export class A2ATaskLimitError extends A2AError {
  static { nameError(this, 'A2ATaskLimitError') }
  readonly code = A2A_ERROR_CODES.internalError
}

/** Thrown when a task would move to a state the state machine does not allow from its current one. */
export class InvalidTaskTransitionError extends Error {
  static { nameError(this, 'InvalidTaskTransitionError') }
}

/**
 * Thrown on the requesting side when the agent answered with a JSON-RPC
 * error: `code` is the error's code, `remoteName` its class name when given.
 */
export class A2ARemoteError extends Error {
  static { nameError(this, 'A2ARemoteError') }
  readonly code: number
  readonly remoteName: string

  constructor (code: number, remoteName: string, message: string) {
    super(`${remoteName} (${code}): ${message}`)
    this.code = code
    this.remoteName = remoteName
  }
}
