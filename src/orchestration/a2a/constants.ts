/**
 * Protocol id, version, limits and error codes of the A2A binding
 * (docs/a2a-binding.md). Error codes are A2A 1.0's (the specification's error code table and
 * a2a.proto, package lf.a2a.v1) and JSON-RPC 2.0's own.
 */

/** The libp2p binding of A2A: one JSON-RPC 2.0 request, then one response frame (or a stream of them). */
export const A2A_PROTOCOL = '/zerostate/a2a/1.0.0'

/** The A2A protocol version both bindings speak (the `A2A-Version` header, `protocolVersion` of an interface). */
export const A2A_PROTOCOL_VERSION = '1.0'

/** The `protocolBinding` an Agent Card's `supportedInterfaces` entry names for the libp2p binding. */
export const A2A_LIBP2P_BINDING = 'ZEROSTATE-LIBP2P'

/** The `protocolBinding` of the HTTP JSON-RPC bridge (A2A 1.0's JSON-RPC binding). */
export const A2A_JSONRPC_BINDING = 'JSONRPC'

/** The largest request frame: a message with its stdin and input files, base64 included. */
export const MAX_A2A_REQUEST_BYTES = 8 * 1024 * 1024
/**
 * The largest response frame: a task with its history (the request's message), stdout (8 MiB), output
 * files (16 MiB, base64: 4/3 of that) and receipt.
 */
export const MAX_A2A_RESPONSE_BYTES = 48 * 1024 * 1024

/** Parts in one message or artifact. */
export const MAX_A2A_PARTS = 64
/** A text part, in UTF-8 bytes (it becomes stdin). */
export const MAX_A2A_TEXT_BYTES = 4 * 1024 * 1024
/** One raw (bytes) part, decoded. */
export const MAX_A2A_RAW_BYTES = 4 * 1024 * 1024
/** A data part or a metadata object, as JSON text. */
export const MAX_A2A_DATA_BYTES = 64 * 1024
/** Ids (task, context, message, artifact) and method names. */
export const MAX_A2A_ID_LENGTH = 128
/** Filenames and media types of a part. */
export const MAX_A2A_NAME_LENGTH = 256
/** Extension URIs and referenced task ids of one message. */
export const MAX_A2A_LIST_ENTRIES = 16

/** Tasks a peer keeps in memory (running and finished); a new task evicts the oldest finished one. */
export const MAX_A2A_TASKS = 256
/** The JSON size of the tasks a peer keeps (their messages and artifacts, base64 included), in UTF-16 code units. */
export const MAX_A2A_TASK_BYTES = 256 * 1024 * 1024
/** How long a finished task can still be read (GetTask), from its last update. */
export const A2A_TASK_TTL_MS = 60 * 60_000
/** A2A streams served at once over all connections. */
export const MAX_INBOUND_A2A_STREAMS = 16
/** How long a caller waits for a request's answer, and for each frame of a stream, when it gave no signal. */
export const A2A_REQUEST_TIMEOUT_MS = 10 * 60_000

/** JSON-RPC 2.0 (§5.1) and A2A 1.0 error codes. */
export const A2A_ERROR_CODES = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  taskNotFound: -32001,
  taskNotCancelable: -32002,
  pushNotificationNotSupported: -32003,
  unsupportedOperation: -32004,
  contentTypeNotSupported: -32005,
  invalidAgentResponse: -32006,
  versionNotSupported: -32009
} as const
