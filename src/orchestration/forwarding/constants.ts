/** Protocol id and limits of /zerostate/forward/1.0.0 (pb/forward.proto). */

/**
 * Hop-by-hop forwarding to an executor that is not a neighbour: a
 * ForwardHeader, then the unchanged /zerostate/task/1.0.0 conversation.
 */
export const FORWARD_PROTOCOL = '/zerostate/forward/1.0.0'

/** Forwarded tasks passing through this peer at once. */
export const MAX_INBOUND_FORWARD_STREAMS = 64

/** How many times a task may be forwarded after the origin sends it (the origin's hops_left). */
export const MAX_HOPS = 8
/** The most peers a header's `visited` list may hold. */
export const MAX_VISITED = 16
/** The longest PeerId string accepted in a header (an Ed25519 PeerId is 52 characters). */
export const MAX_PEER_ID_LENGTH = 64
/** A header with every field at its limit, plus protobuf overhead. */
export const MAX_FORWARD_HEADER_BYTES = (MAX_VISITED + 2) * (MAX_PEER_ID_LENGTH + 3) + 16
