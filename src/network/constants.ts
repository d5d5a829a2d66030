/**
 * Wire identifiers and limits of the ZeroState mesh, in one place so that a
 * version bump is a one-line change and every boundary check uses one number.
 * Limits that the sandbox and receipts share live in core/limits.ts.
 */
import {
  MAX_INPUT_FILES_BYTES, MAX_MODULE_BYTES, MAX_OUTPUT_BYTES, MAX_STDIN_BYTES, MAX_WORK_DIRECTORY_BYTES
} from '../core/limits.ts'
import { MAX_RECEIPT_BYTES } from '../receipts/constants.ts'

/** Submitter → executor: offer, (module), result. See task-protocol/task.proto. */
export const TASK_PROTOCOL = '/zerostate/task/1.0.0'

/**
 * Hop-by-hop forwarding to an executor that is not a neighbour: a
 * ForwardHeader, then the unchanged TASK_PROTOCOL conversation. See
 * orchestration/forwarding/forward.proto.
 */
export const FORWARD_PROTOCOL = '/zerostate/forward/1.0.0'

/** Round-trip measurement: length-prefixed messages echoed back. See echo.ts. */
export const ECHO_PROTOCOL = '/zerostate/echo/1.0.0'
export const MAX_ECHO_BYTES = 64 * 1024

/** Gossipsub topic on which peers announce themselves and their capacity. */
export const PRESENCE_TOPIC = '/zerostate/presence/1.0.0'

/** Gossipsub topic of signed Agent Cards (docs/agent-card.md). */
export const AGENT_CARD_TOPIC = '/zerostate/agent-card/1.0.0'

/**
 * Payment channels between a submitter and an executor: open, pay for a
 * receipt, refund, sync after a lost answer, close. One JSON request and
 * answer per stream (json-exchange.ts); see economy/payments.
 */
export const PAYMENT_PROTOCOL = '/zerostate/payment/1.0.0'

/** Gossipsub topic of announced receipts with their task input, for witnesses to re-execute. */
export const RECEIPT_TOPIC = '/zerostate/receipts/1.0.0'

/** Gossipsub topic of signed witness attestations. */
export const ATTESTATION_TOPIC = '/zerostate/attestations/1.0.0'

/** Gossipsub topic of signed reputation reports. */
export const REPUTATION_TOPIC = '/zerostate/reputation/1.0.0'

/** Gossipsub topic of signed channel settlement records. */
export const SETTLEMENT_TOPIC = '/zerostate/settlements/1.0.0'

/** A witness fetches a module it lacks from the peer that announced the receipt: hash in, bytes out. */
export const MODULE_FETCH_PROTOCOL = '/zerostate/module/1.0.0'

/** Sealed bids: a signed request in, a signed bid (or a refusal) out. See economy/bids. */
export const BID_PROTOCOL = '/zerostate/bid/1.0.0'

/** Page → the server it was loaded from: where the relays are. */
export const CONFIG_PATH = '/config.json'

export const KIB = 1024
export const MIB = 1024 * KIB

export const MAX_ERROR_MESSAGE_LENGTH = 2048

/**
 * The largest framed message: a module; an offer (stdin, input files, args
 * and env); or a result (stdout, stderr, output files, receipt) — plus framing.
 */
export const MAX_TASK_MESSAGE_BYTES = Math.max(
  MAX_MODULE_BYTES,
  MAX_STDIN_BYTES + MAX_INPUT_FILES_BYTES,
  2 * MAX_OUTPUT_BYTES + MAX_WORK_DIRECTORY_BYTES + MAX_RECEIPT_BYTES
) + 256 * KIB

/**
 * How often a running executor tells the submitter it is still alive. A closed
 * WebRTC peer is only noticed after ~13 s, so the task protocol keeps its own
 * heartbeat and gives up after MISSED_HEARTBEATS_LIMIT silent periods.
 */
export const HEARTBEAT_INTERVAL_MS = 1000
export const HEARTBEAT_TIMEOUT_MS = 5000

/** Offer → accept/need-module must come back quickly; a busy executor queues instead. */
export const OFFER_RESPONSE_TIMEOUT_MS = 10_000
/** Time to move a module of MAX_MODULE_BYTES, generously. */
export const MODULE_TRANSFER_TIMEOUT_MS = 60_000

/** Presence announcements: how often, and when a silent peer is forgotten. */
export const PRESENCE_INTERVAL_MS = 5000
export const PRESENCE_TTL_MS = 20_000
export const MAX_PRESENCE_MESSAGE_BYTES = 4 * KIB

/**
 * Direct peer connections a tab keeps (relays not counted); further peers are
 * reached by forwarding through neighbours. Configurable 1–64.
 */
export const DEFAULT_MAX_PEER_CONNECTIONS = 12
export const MAX_PEER_CONNECTIONS_LIMIT = 64

/**
 * Chromium allows about 500 RTCPeerConnections over a tab's life; a tab stops
 * opening new WebRTC connections well before that and relies on the relayed
 * path and on forwarding instead.
 */
export const WEBRTC_DIALS_PER_TAB_LIFE = 400

/** Dial retries: first delay, cap, and how many tries before waiting for the next announcement. */
export const DIAL_BACKOFF_INITIAL_MS = 500
export const DIAL_BACKOFF_MAX_MS = 30_000
export const DIAL_TIMEOUT_MS = 15_000

/**
 * Q-routing warm start: on connection, each side sends its own best estimates
 * per destination. See orchestration/routing/warm-start/estimates.proto.
 */
export const Q_ESTIMATES_PROTOCOL = '/zerostate/q-estimates/1.0.0'
/**
 * One Estimates message at its limits: 256 entries, each a dest of 256 UTF-16
 * code units (≤ 3 UTF-8 bytes each) and a double, plus tags and length varints.
 */
export const MAX_Q_ESTIMATES_BYTES = 256 * (3 * 256 + 16)
