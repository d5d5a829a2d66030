/**
 * Limits and timeouts of the network layer itself: presence, the peer mesh's
 * connection budget and dialling, request/answer exchanges. Each protocol of
 * a higher layer keeps its own id, limits and timeouts in its own
 * constants.ts; limits that the sandbox and receipts share live in
 * core/limits.ts.
 */
import type { RateLimit } from './rate-limit.ts'

/** Page → the server it was loaded from: where the relays are. */
export const CONFIG_PATH = '/config.json'

export const KIB = 1024
export const MIB = 1024 * KIB

/** Error messages sent to a peer are cut at this many characters. */
export const MAX_ERROR_MESSAGE_LENGTH = 2048

/** How long a request/answer exchange (json-exchange.ts) waits for each side. */
export const REQUEST_TIMEOUT_MS = 10_000

/**
 * Direct peer connections a tab keeps (relays not counted); further peers are
 * reached by forwarding through neighbours. Configurable 1–64.
 */
export const DEFAULT_MAX_PEER_CONNECTIONS = 12
export const MAX_PEER_CONNECTIONS_LIMIT = 64

/**
 * Relays a tab holds links to, of those the server lists (relay-choice.ts):
 * two, so that losing one leaves it reachable, and not every one, so that a
 * mesh of many relays does not put every tab on every relay. Configurable 1–16
 * (the most relays one server runs).
 */
export const DEFAULT_RELAY_LINKS = 2
export const MAX_RELAY_LINKS = 16

/**
 * Chromium allows about 500 RTCPeerConnections over a tab's life; a tab stops
 * opening new WebRTC connections well before that and relies on the relayed
 * path and on forwarding instead.
 */
export const WEBRTC_DIALS_PER_TAB_LIFE = 400

/**
 * Part of that budget only peers this tab has had a direct connection to
 * may spend (a reconnect after a drop): peers it never reached directly —
 * strangers, honest or not — share the rest, so strangers can never spend
 * it all.
 */
export const WEBRTC_RESERVED_FOR_KNOWN_PEERS = 100

/**
 * WebRTC dials to one peer over the tab's life: an honest peer whose
 * upgrade keeps failing stays on the relayed path (and forwarding) after
 * this many, rather than draining the budget one backoff at a time.
 */
export const WEBRTC_DIALS_PER_PEER = 16

/**
 * Before a WebRTC dial, a peer must show it is real: a relayed connection
 * through the relay that completes the noise handshake with its PeerId (a
 * "probe", which costs no RTCPeerConnection). Probes to peers this tab is
 * not connected to: a burst of 16 then 2 a second, 4 at once, each bounded
 * in time; a peer whose probe failed is not probed again for 10 s, doubling
 * to 5 min, unless it connects by itself.
 */
export const PROBE_RATE: RateLimit = { burst: 16, perSecond: 2 }
export const PROBE_CONCURRENCY = 4
export const PROBE_TIMEOUT_MS = 10_000
export const PROBE_BACKOFF_INITIAL_MS = 10_000
export const PROBE_BACKOFF_MAX_MS = 300_000

/** Peers whose dial history the dial policy keeps (least recently seen forgotten first). */
export const MAX_TRACKED_PEERS = 1024

/**
 * A reservation shows in the node's addresses 0.1–0.8 s after the relay
 * dial, and circuit-relay-v2 gives up on one after 5 s; with no circuit
 * address this long after connecting, the relay has no slot for this tab
 * (it is full, or refused): say so, and retry by reconnecting — the
 * transport asks for a reservation on each new connection to a relay.
 */
export const RESERVATION_DEADLINE_MS = 10_000
/** How often a held relay connection checks for its reservation. */
export const RESERVATION_CHECK_MS = 1000

/**
 * Messages a tab takes (and forwards) on a gossip topic from one identity,
 * unless the topic sets its own: a burst of 16, then 4 a second — far more
 * than an honest peer publishes, far less than a flood.
 */
export const DEFAULT_TOPIC_RATE: RateLimit = { burst: 16, perSecond: 4 }

/** Dial retries: first delay, cap, and how many tries before waiting for the next announcement. */
export const DIAL_BACKOFF_INITIAL_MS = 500
export const DIAL_BACKOFF_MAX_MS = 30_000
export const DIAL_TIMEOUT_MS = 15_000

/**
 * How long a transfer too large for a relayed connection's data limit waits
 * for the direct (WebRTC) connection the mesh's upgrade opens: the higher of
 * two PeerIds waits 3 s before dialling (peer-mesh.ts upgradeGraceMs), and a
 * dial takes a few seconds more on a slow network.
 */
export const BULK_DIRECT_WAIT_MS = 10_000

/**
 * Gossipsub's IP colocation penalty (P6) is off in tabs and Node peers, as on
 * the relay (server/constants.ts). Every peer first met through a relay has
 * the relay's address in its connection's remote address (a circuit address),
 * and gossipsub keeps the addresses of peers that left for an hour (its
 * `retainScore`): past about a dozen peers met through one relay, it took them
 * all for one host and scored the relay itself below the gossip threshold, so
 * the tab pruned the relay from its mesh and ignored its gossip — no presence
 * or card from anyone new for an hour (measured: a tab never heard of the 14th
 * Node peer it met one after another).
 */
export const GOSSIP_IP_COLOCATION_WEIGHT = 0
