/** Protocol id and limits of /zerostate/forward/1.0.0 (pb/forward.proto). */
import { TRACEPARENT_LENGTH } from '../../core/tracing/index.ts'
import { MAX_TRACE_BYTES, MAX_TRACE_SPANS } from '../task-protocol/constants.ts'

/**
 * Hop-by-hop forwarding to an executor that is not a neighbour: a
 * ForwardHeader, then the unchanged /zerostate/task/1.0.0 conversation.
 */
export const FORWARD_PROTOCOL = '/zerostate/forward/1.0.0'

/**
 * How long a hop waits for a direct connection to the next when it holds
 * only a relayed one (ForwarderComponents.bulkConnectionTo): well within the
 * origin's OFFER_RESPONSE_TIMEOUT_MS for the whole path, and past the 3 s
 * the higher PeerId waits before dialling WebRTC (peer-mesh.ts upgradeGraceMs).
 */
export const FORWARD_DIRECT_WAIT_MS = 5000

/** Forwarded tasks passing through this peer at once. */
export const MAX_INBOUND_FORWARD_STREAMS = 64

/** How many times a task may be forwarded after the origin sends it (the origin's hops_left). */
export const MAX_HOPS = 8
/** The most peers a header's `visited` list may hold. */
export const MAX_VISITED = 16
/** The longest PeerId string accepted in a header (an Ed25519 PeerId is 52 characters). */
export const MAX_PEER_ID_LENGTH = 64
/** A header with every field at its limit (a 55-character traceparent included), plus protobuf overhead. */
export const MAX_FORWARD_HEADER_BYTES = (MAX_VISITED + 2) * (MAX_PEER_ID_LENGTH + 3) + (TRACEPARENT_LENGTH + 2) + 16

/** Spans one hop's ForwardTrailer may carry: its `forward hop`, with room to spare. */
export const MAX_TRAILER_SPANS = 4
/** A ForwardTrailer at its limits: MAX_TRAILER_SPANS spans at task-protocol's per-span limits, and the hop's PeerId. */
export const MAX_FORWARD_TRAILER_BYTES = MAX_TRAILER_SPANS * (MAX_TRACE_BYTES / MAX_TRACE_SPANS + 8) + MAX_PEER_ID_LENGTH + 16
/**
 * How long the origin waits, after a forwarded task's RESULT, for the hops'
 * trailers (docs/tracing.md §6). They follow the RESULT as soon as the target
 * closes its side, so this only bounds a hop that never closes; the task's
 * result is in hand and verified either way.
 */
export const TRAILER_TIMEOUT_MS = 2000
