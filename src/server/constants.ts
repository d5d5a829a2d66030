/**
 * Limits of the relay (relay.ts): what one remote address, one identity and
 * one gossip topic may cost it. The relay is a public bootstrap node: anyone
 * who can reach its websocket port can open connections, reserve slots and
 * publish gossip, so every resource has a bound here. Each default says why
 * it has its value; every one can be changed through `RelayInit`.
 *
 * Browser tabs behind one NAT share an address (and in the tests every peer
 * is 127.0.0.1), so per-address limits are generous: they stop one address
 * from taking the whole relay, not one person from opening twenty tabs.
 */

/**
 * Connections open at once, all addresses together. libp2p's default for Node
 * is 300; a relay's connections are idle websockets costing a few tens of KiB
 * each, so a thousand fit easily in a small VM.
 */
export const DEFAULT_MAX_CONNECTIONS = 1024

/**
 * Open connections from one remote address (an IPv4 address, or an IPv6 /64
 * since one host usually holds a whole /64). 1024 / 64: at least 16 addresses
 * are needed to fill the relay.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64

/**
 * Connections still being upgraded (noise, then yamux) at once, all addresses
 * together. libp2p's default of 10 is what let ten silent websockets lock
 * everyone out (js-libp2p doc/LIMITS.md, "Connection limits"). When it is
 * reached, the relay makes room by closing the oldest pending connection of the
 * address holding the most (relay-gate.ts), so a newcomer is never refused
 * because others are slow.
 */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 256

/**
 * Connections being upgraded at once from one address. An honest tab holds one
 * for the few round trips of a noise handshake; past this, the address's
 * oldest pending connection is closed to admit the new one.
 */
export const DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS = 16

/**
 * How long an inbound connection may take to finish noise and yamux. libp2p's
 * default is 10 s; a handshake over a slow mobile link takes well under 2 s, and
 * a shorter hold halves what each silent socket costs.
 */
export const DEFAULT_INBOUND_UPGRADE_TIMEOUT_MS = 5000

/**
 * How long the websocket listener waits for a socket's HTTP upgrade request
 * (Node's http `headersTimeout` and `requestTimeout`, 60 s and 300 s by default).
 * A browser sends it at once.
 */
export const WEBSOCKET_HANDSHAKE_TIMEOUT_MS = 10_000

/**
 * New connections one address may open per second (libp2p's
 * `inboundConnectionThreshold`, default 5). Twenty tabs of one browser
 * restarting at once get in at once; tabs that are refused retry with backoff.
 */
export const DEFAULT_INBOUND_CONNECTIONS_PER_SECOND_PER_ADDRESS = 20

/** Circuit relay v2 reservations held at once (the relay's reachable tabs). */
export const DEFAULT_MAX_RESERVATIONS = 512

/**
 * Reservations held by peers of one address. 512 / 32 = 16 addresses to fill
 * the relay, the same share of the whole as connections per address.
 */
export const DEFAULT_MAX_RESERVATIONS_PER_ADDRESS = 32

/**
 * How long a reservation lasts unless refreshed. The circuit-relay-v2 default
 * is 2 h; tabs' reservation stores refresh 5 minutes before expiry
 * (@libp2p/circuit-relay-v2 transport/reservation-store.ts REFRESH_TIMEOUT), so
 * 15 min costs a tab one refresh every 10 min. A reservation ends anyway when
 * its peer disconnects (relay-gate.ts); this bounds one whose disconnect was missed.
 */
export const DEFAULT_RESERVATION_TTL_MS = 15 * 60_000

/*
 * Relay peering (relay-peering.ts): the relays of one mesh hold connections to
 * each other and are gossipsub direct peers (gossipsub v1.1 spec, "Explicit
 * Peering Agreements"), so what a tab publishes on one relay reaches tabs on the others.
 */

/** Relays one relay peers with; the same bound as relays one `serve` runs (--relays 0–16). */
export const MAX_RELAY_PEERS = 16

/** Time a dial to a peer relay may take before it counts as failed. */
export const RELAY_PEER_DIAL_TIMEOUT_MS = 10_000

/**
 * Redial backoff toward a peer relay, with full jitter: from 1 s, doubling to
 * 60 s. A relay that restarts is back within a minute; one that is gone costs a
 * dial a minute.
 */
export const RELAY_PEER_BACKOFF_INITIAL_MS = 1000
export const RELAY_PEER_BACKOFF_MAX_MS = 60_000

/**
 * The peer store tag on a peer relay: libp2p's connection pruner closes the
 * lowest-valued connections first when `maxConnections` is reached, and a
 * peer relay carries every tab on it, so it goes last.
 */
export const RELAY_PEER_TAG = 'zerostate-relay-peer'
export const RELAY_PEER_TAG_VALUE = 100

/** How often reservations of peers no longer connected are swept (besides on each disconnect). */
export const RESERVATION_SWEEP_INTERVAL_MS = 60_000

/**
 * Gossip rates, per author identity and fixed window. Up to `…_PER_WINDOW`
 * messages are forwarded; past it they are dropped without penalty (Ignore),
 * since an honest tab can exceed it in a burst of newcomers; past
 * `…_FLOOD_PER_WINDOW`, more than any honest tab sends, they are rejected,
 * which costs the sender gossipsub score (P4) and soon graylists it.
 */

/**
 * Presence: a tab announces every 5 s (PRESENCE_INTERVAL_MS: 6 per window) and
 * again whenever a neighbour subscribes (at most 12 neighbours by default, and
 * the relays), so 24 leaves room for a tab joining a busy mesh. It can never
 * send 96: 6 periodic, plus one per subscription of at most 64 neighbours
 * (MAX_PEER_CONNECTIONS_LIMIT) and 16 relays.
 */
export const PRESENCE_MESSAGES_PER_WINDOW = 24
export const PRESENCE_FLOOD_PER_WINDOW = 96
export const PRESENCE_RATE_WINDOW_MS = 30_000

/**
 * Agent Cards: forwarded as many as every tab's card cache accepts (discovery
 * MAX_CARDS_PER_PEER_PER_MINUTE over FLOOD_WINDOW_MS), so the relay forwards
 * nothing a tab would drop as a flood. A tab publishes once a minute and 1.5 s
 * after newcomers (discovery PUBLISH_AFTER_SUBSCRIBER_MS), at most 41 a minute
 * however many arrive; past 60 it is not a tab.
 */
export const CARD_FLOOD_PER_WINDOW = 60
export const CARD_RATE_WINDOW_MS = 60_000

/**
 * What agents publish (src/server/relay-agent-rules.ts), per author per
 * AGENT_RATE_WINDOW_MS. Manifests: a peer re-publishes at most 24 at once to
 * newcomers and half a manifest a second after (agent-registry
 * AGENT_MANIFEST_SEND_RATE), at most 54 a minute. Guilds: a member
 * re-publishes its guilds to newcomers; tabs take a burst of 8 and one a
 * second (GUILD_ANNOUNCE_RATE). Splits: one per awarded run a guild
 * completed; tabs take a burst of 4 and one per 5 s (SPLIT_ANNOUNCE_RATE).
 */
export const AGENT_RATE_WINDOW_MS = 60_000
export const MANIFEST_MESSAGES_PER_WINDOW = 60
export const MANIFEST_FLOOD_PER_WINDOW = 240
export const GUILD_MESSAGES_PER_WINDOW = 60
export const GUILD_FLOOD_PER_WINDOW = 240
export const SPLIT_MESSAGES_PER_WINDOW = 16
export const SPLIT_FLOOD_PER_WINDOW = 64

/** A summary of dropped gossip is logged at most this often; single drops only at debug level. */
export const DROP_SUMMARY_INTERVAL_MS = 60_000

/*
 * Gossipsub peer scoring on the relay (gossipsub v1.1 spec, "Peer Scoring";
 * parameters as in @libp2p/gossipsub score/peer-score-params.ts). A peer's
 * score is Σ over topics of topicWeight · (P1 + P2 + P4 terms) plus P6 and P7;
 * below GOSSIP the relay stops gossiping to it, below GRAYLIST it ignores the
 * peer's messages altogether.
 */

/**
 * P6, IP colocation: off. The default (−5 per extra peer squared, above 10 per
 * address) cut every tab off once 12 shared an address — a NAT, a school, the
 * tests: at −20 a peer is out of the mesh and below the gossip threshold, and
 * from 15 graylisted — and the 1 h score retention kept it so. Sybils of
 * one address are bounded by the per-address connection cap instead, and a
 * flood by P4 per identity.
 */
export const SCORE_IP_COLOCATION_WEIGHT = 0

/**
 * How long a disconnected peer's score is kept (default 1 h). Long enough that
 * a peer cannot wash off a penalty by reconnecting at once; short, because a new
 * identity costs nothing and a long memory only punishes honest tabs that reload.
 */
export const SCORE_RETAIN_MS = 60_000

/**
 * P4, invalid messages, per topic: −20 · n² where n is the decaying count of
 * messages the relay rejected. One rejection outweighs the most a peer can
 * earn (+10, the topic score cap) and takes it out of the mesh; three graylist
 * it (−180 < −80), after which its messages are not even validated. The
 * count decays by 0.97 a second (decayInterval 1 s): a graylisted peer is
 * heard again after about 13 s, which bounds what a flooder costs the relay to
 * about one validation in 13 s.
 */
export const SCORE_INVALID_MESSAGE_WEIGHT = -20
export const SCORE_INVALID_MESSAGE_DECAY = 0.97

/**
 * P1, time in mesh: +0.1 per second up to 100 s (+10, the topic score cap),
 * so a peer that has stayed a while survives a message the relay rejected
 * because of someone else's mistake (an honest tab that forwarded it).
 */
export const SCORE_TIME_IN_MESH_WEIGHT = 0.1
export const SCORE_TIME_IN_MESH_QUANTUM_MS = 1000
export const SCORE_TIME_IN_MESH_CAP = 100

/**
 * P2, first deliveries: +1 per message the peer was first to bring, decaying by
 * half a second, capped at 10. P3 (mesh delivery deficit) stays off: presence
 * and cards are sparse, and a quiet honest tab must not lose score.
 */
export const SCORE_FIRST_DELIVERY_WEIGHT = 1
export const SCORE_FIRST_DELIVERY_DECAY = 0.5
export const SCORE_FIRST_DELIVERY_CAP = 10

/** Score thresholds (the gossipsub defaults, stated here because P4's weight is chosen against them). */
export const SCORE_GOSSIP_THRESHOLD = -10
export const SCORE_PUBLISH_THRESHOLD = -50
export const SCORE_GRAYLIST_THRESHOLD = -80

/*
 * Observability of the server, the relays and Node peers (docs/metrics.md).
 */

/** Prometheus exposition (text format 0.0.4) of every metric of the process. */
export const METRICS_PATH = '/metrics'
/** Liveness: 200 `ok` for as long as the process answers HTTP at all. */
export const HEALTH_PATH = '/healthz'
/** Readiness: 200 when every relay of the process listens on its multiaddrs, 503 with the reason otherwise. */
export const READY_PATH = '/readyz'

/** Prefix of every metric this project exports, the process metrics of prom-client included. */
export const METRIC_PREFIX = 'zerostate_'

/**
 * Buckets of the HTTP request duration histogram, seconds. Static files are
 * answered in about a millisecond from the page cache; a scrape of /metrics or
 * a large module from a cold disk takes tens to hundreds; past 5 s something is wrong.
 */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
