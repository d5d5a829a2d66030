/**
 * Agent Card format (docs/agent-card.md is the normative text): topic,
 * version, limits and the capability-vector layout, in one place.
 */

/** Gossipsub topic of signed Agent Cards (docs/agent-card.md). */
export const AGENT_CARD_TOPIC = '/zerostate/agent-card/1.0.0'

/**
 * The card format versions (`cardVersion`, docs/agent-card.md §10). Version 2
 * is version 1 plus `supportedInterfaces`, the A2A bindings the peer serves.
 * Both are accepted; a peer publishes 2 only when it has a binding to declare,
 * so a card that declares nothing stays byte-for-byte what version-1-only
 * peers accept while the mesh moves.
 */
export const AGENT_CARD_VERSION_1 = 1
export const AGENT_CARD_VERSION_2 = 2
export const AGENT_CARD_VERSIONS: ReadonlyArray<number> = [AGENT_CARD_VERSION_1, AGENT_CARD_VERSION_2]

/** Upper bound on the UTF-8 byte length of a whole card's RFC 8785 canonical form, signature included. */
export const MAX_AGENT_CARD_BYTES = 8 * 1024

/** A card may be valid for at most this long: `expiresAt − issuedAt`. */
export const MAX_AGENT_CARD_TTL_MS = 10 * 60_000

/** The lifetime a publisher gives its cards unless told otherwise. */
export const DEFAULT_AGENT_CARD_TTL_MS = 5 * 60_000

/**
 * How often a publisher re-signs and republishes its card: well inside the TTL,
 * so that one lost gossip message never lets the card lapse.
 */
export const AGENT_CARD_REFRESH_MS = 60_000

/** A new subscriber gets the card this long after it appears: bursts of newcomers make one publication, after gossipsub has grafted them (~1 s heartbeat). */
export const PUBLISH_AFTER_SUBSCRIBER_MS = 1500

/**
 * A change of availability class republishes the card at once, but at most
 * once per this interval (a later change waits out the rest of it): with the
 * AGENT_CARD_REFRESH_MS refresh that is at most 5 cards a minute, inside the
 * receivers' MAX_CARDS_PER_PEER_PER_MINUTE, however often a tab is hidden and shown.
 */
export const AVAILABILITY_REPUBLISH_MIN_MS = 15_000

/** How far in the future `issuedAt` may be, to tolerate clock differences between peers. */
export const MAX_AGENT_CARD_CLOCK_SKEW_MS = 30_000

/** Limits on the descriptive fields (UTF-8 bytes unless stated). */
export const MAX_CARD_NAME_BYTES = 64
export const MAX_CARD_DESCRIPTION_BYTES = 256
export const MAX_CARD_AGENT_VERSION_BYTES = 32
export const MAX_CARD_SKILLS = 8
export const MAX_SKILL_ID_LENGTH = 48
export const MAX_SKILL_NAME_BYTES = 64
export const MAX_SKILL_DESCRIPTION_BYTES = 160
export const MAX_SKILL_TAGS = 8
export const MAX_TAG_LENGTH = 32

/** A version 2 card declares 1 to this many interfaces (A2A `AgentInterface`: url, protocolBinding, protocolVersion). */
export const MAX_CARD_INTERFACES = 4
export const MAX_INTERFACE_URL_BYTES = 256
export const MAX_PROTOCOL_BINDING_LENGTH = 32

/** At most this many warm module hashes per card. */
export const MAX_WARM_MODULES = 32

/** `workerSlots` is 1 to this many. */
export const MAX_WORKER_SLOTS = 256

/** `memoryLimitBytes` is at least one WebAssembly page and at most the 4 GiB a 32-bit memory can address. */
export const MIN_CARD_MEMORY_BYTES = 65536
export const MAX_CARD_MEMORY_BYTES = 2 ** 32

/** Prices are integers of micro-units: 1 currency unit = 1,000,000 µ. */
export const MICRO_UNITS_PER_UNIT = 1_000_000

/** Length of `capabilityVector`. */
export const CAPABILITY_VECTOR_DIMENSIONS = 128

/** Wire components are rounded to this many decimal places (docs/agent-card.md §5). */
export const CAPABILITY_VECTOR_DECIMALS = 6

/**
 * A received vector matches the recomputed one when every component is within
 * this: half a unit of the 6th decimal from the wire rounding, plus room for
 * engines that differ in the last bit of Math.log2 (ECMAScript leaves it
 * implementation-approximated, ECMA-262 §21.3.2).
 */
export const CAPABILITY_VECTOR_TOLERANCE = 2e-6

/** Cache defaults: cards accepted per peer per minute, and peers held at once. */
export const MAX_CARDS_PER_PEER_PER_MINUTE = 6
export const MAX_CACHED_PEERS = 10_000
export const FLOOD_WINDOW_MS = 60_000

/** Upper bound on each price, in micro-units (one million currency units): keeps sums of prices exact integers. */
export const MAX_PRICE_MICRO_UNITS = 1e12

/** Upper bound on `benchmark.fuelPerMs`. */
export const MAX_FUEL_PER_MS = 2 ** 32
