/**
 * Protocol id, per-message size limits and timeouts of /zerostate/task/1.0.0
 * (pb/task.proto), and the executor's own bounds.
 */
import {
  MAX_ARGS_AND_ENV_BYTES, MAX_FILE_PATH_BYTES, MAX_INPUT_FILES_BYTES, MAX_MODULE_BYTES, MAX_OUTPUT_BYTES, MAX_STDIN_BYTES, MAX_TASK_FILES,
  MAX_WORK_DIRECTORY_BYTES
} from '../../core/limits.ts'
import { KIB, MAX_ERROR_MESSAGE_LENGTH } from '../../network/constants.ts'
import { MAX_RECEIPT_BYTES } from '../../receipts/index.ts'
import { TRACEPARENT_LENGTH } from '../../core/tracing/index.ts'

/** Submitter → executor: offer, (module), result. See pb/task.proto. */
export const TASK_PROTOCOL = '/zerostate/task/1.0.0'

/**
 * Task streams one connection may carry into this peer at once (libp2p counts
 * a protocol's streams per connection, the ones still closing included).
 */
export const MAX_INBOUND_TASK_STREAMS = 64

/**
 * Task streams a submitter opens to one executor at once; its further tasks
 * wait in its own queue (orchestration/dispatch). Half of the executor's
 * MAX_INBOUND_TASK_STREAMS, which is also libp2p's default outbound limit per
 * connection and protocol: streams the other end has not finished closing
 * still count there, and forwarded tasks may share the connection.
 */
export const MAX_TASK_STREAMS_PER_EXECUTOR = MAX_INBOUND_TASK_STREAMS / 2

/**
 * Accepted tasks an executor keeps waiting beyond its free worker slots, all
 * submitters together. Each holds its offer in memory (up to MAX_OFFER_BYTES)
 * and its stream open, so the queue is bounded; an offer beyond it is refused
 * with ExecutorBusyError before its module is sent.
 */
export const MAX_QUEUED_TASKS = 16

/**
 * Tasks one submitter may have waiting on an executor beyond the worker
 * slots: alone, it may hold every slot and this many more (fewer when others
 * contend; task-protocol/fair-queue.ts). Enough to keep every slot busy while
 * results and the next offers cross the network (a task's round trip is
 * ~17 ms, README), few enough that a submitter's backlog stays in its own
 * tab: a submitter keeps at most the executor's slots plus this many tasks in
 * flight to it (orchestration/dispatch).
 */
export const MAX_QUEUED_TASKS_PER_SUBMITTER = 4

/**
 * How long an executor still counts a submitter it refused as busy among
 * those sharing its queue: longer than the submitter's longest backoff
 * (BUSY_RETRY_MAX_DELAY_MS in orchestration/dispatch), so the share is still
 * kept when it offers again.
 */
export const BUSY_CONTENDER_MS = 10_000

/** A TaskOffer's traceparent: W3C Trace Context version 00, exactly this long (core/tracing). */
export const MAX_TRACEPARENT_LENGTH = TRACEPARENT_LENGTH

/**
 * Spans a RESULT may carry: the executor's (execute, module transfer, queue,
 * run, sign: docs/tracing.md) and those of forwarding hops, with room to spare.
 */
export const MAX_TRACE_SPANS = 32
/** A span's name, in UTF-8 bytes. */
export const MAX_SPAN_NAME_BYTES = 64
/** Attributes per span. */
export const MAX_SPAN_ATTRIBUTES = 8
/** An attribute's key, in UTF-8 bytes. */
export const MAX_SPAN_ATTRIBUTE_KEY_BYTES = 64
/** An attribute's value (always text on the wire), in UTF-8 bytes. */
export const MAX_SPAN_ATTRIBUTE_VALUE_BYTES = 256
/** A span's error name, in UTF-8 bytes. */
export const MAX_SPAN_ERROR_BYTES = 64
/**
 * The latest a span may end after the executor read the offer, in µs: a day.
 * A task runs for at most MAX_TIMEOUT_MS, but it may wait in queues and for
 * its module first; a day bounds the numbers without judging the waits.
 */
export const MAX_SPAN_OFFSET_US = 86_400 * 1_000_000

/** The spans of one RESULT at their limits, with the tags and varints around each field. */
export const MAX_TRACE_BYTES = MAX_TRACE_SPANS *
  (MAX_SPAN_NAME_BYTES + MAX_SPAN_ERROR_BYTES + 2 * 8 + 2 * 10 + MAX_SPAN_ATTRIBUTES * (MAX_SPAN_ATTRIBUTE_KEY_BYTES + MAX_SPAN_ATTRIBUTE_VALUE_BYTES + 8) + 32)

/** Room for protobuf tags, length varints and the fixed-size fields of a message. */
const FRAMING_BYTES = 64 * KIB

/** Per input or output file: its path and the tag and length varints around it. */
const PER_FILE_BYTES = MAX_FILE_PATH_BYTES + 16

/** A TaskOffer at its limits: stdin, the input files, args and env (about 20 MiB). */
export const MAX_OFFER_BYTES = MAX_STDIN_BYTES + MAX_INPUT_FILES_BYTES + MAX_TASK_FILES * PER_FILE_BYTES + MAX_ARGS_AND_ENV_BYTES +
  MAX_TRACEPARENT_LENGTH + FRAMING_BYTES

/** A ModuleTransfer: one module of at most MAX_MODULE_BYTES. */
export const MAX_MODULE_TRANSFER_BYTES = MAX_MODULE_BYTES + FRAMING_BYTES

/**
 * An ExecutorMessage before the task is accepted (NEED_MODULE, ACCEPTED, or a
 * FAILURE naming its error in at most MAX_ERROR_MESSAGE_LENGTH characters of
 * up to 4 UTF-8 bytes each).
 */
export const MAX_CONTROL_MESSAGE_BYTES = 4 * MAX_ERROR_MESSAGE_LENGTH + 4 * KIB

/** An ExecutorMessage once accepted: a RESULT carries stdout, stderr, the output files and the receipt (about 33 MiB). */
export const MAX_RESULT_BYTES = 2 * MAX_OUTPUT_BYTES + MAX_WORK_DIRECTORY_BYTES + MAX_TASK_FILES * PER_FILE_BYTES + MAX_RECEIPT_BYTES +
  4 * MAX_ERROR_MESSAGE_LENGTH + MAX_TRACE_BYTES + FRAMING_BYTES

/** The largest task message either way: what a forwarding hop may have to buffer before it splices. */
export const MAX_TASK_MESSAGE_BYTES = Math.max(MAX_OFFER_BYTES, MAX_MODULE_TRANSFER_BYTES, MAX_RESULT_BYTES)

/** What either side may buffer unread: the largest message it can be sent. */
export const MAX_EXECUTOR_BUFFER_BYTES = Math.max(MAX_OFFER_BYTES, MAX_MODULE_TRANSFER_BYTES)
export const MAX_SUBMITTER_BUFFER_BYTES = MAX_RESULT_BYTES

/**
 * How often a running executor tells the submitter it is still alive. A closed
 * WebRTC peer is only noticed after ~13 s, so the task protocol keeps its own
 * heartbeat and the submitter gives up after HEARTBEAT_TIMEOUT_MS of silence.
 */
export const HEARTBEAT_INTERVAL_MS = 1000
export const HEARTBEAT_TIMEOUT_MS = 5000

/** Offer → accept/need-module must come back quickly; a busy executor queues the task, or refuses it (ExecutorBusyError). */
export const OFFER_RESPONSE_TIMEOUT_MS = 10_000

/**
 * Time to move a module of MAX_MODULE_BYTES, generously; the executor gives an
 * offer (stdin and input files, up to MAX_OFFER_BYTES) as long. Either read also
 * fails after OFFER_RESPONSE_TIMEOUT_MS in which no bytes arrive.
 */
export const MODULE_TRANSFER_TIMEOUT_MS = 60_000

/**
 * How many modules an executor remembers the resource use of (usage-memory.ts).
 * Each entry is a hash and three numbers, so this bounds memory at a few tens
 * of KiB however many distinct modules peers send.
 */
export const USAGE_MEMORY_ENTRIES = 256
