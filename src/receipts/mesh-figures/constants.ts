/**
 * Mesh figures (format version 1, docs/metrics.md "Mesh figures"): the topic,
 * the fixed duration buckets, the period bounds and the limits of the signed
 * message a peer that opted in publishes, and of what a relay keeps of it.
 */

/** Gossipsub topic of signed mesh figures. Relays subscribe; peers only publish (they have no use for each other's figures). */
export const MESH_FIGURES_TOPIC = '/zerostate/mesh-metrics/1.0.0'

/** The message's format version. */
export const MESH_FIGURES_VERSION = 1

/**
 * Upper bounds of the task duration buckets, milliseconds (`+Inf` implied):
 * a sample runs in milliseconds, a model on a photo in seconds, a task's
 * timeout is minutes at most. Fixed by the format version, so a relay can sum
 * the buckets of every peer (the same bounds as the Node peer's
 * zerostate_peer_task_duration_seconds, in ms).
 */
export const MESH_DURATION_BUCKETS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000]

/** How often a peer that opted in publishes its figures. */
export const DEFAULT_MESH_FIGURES_PERIOD_MS = 30_000

/** The shortest period a message may state; with the relay's rate, what one peer can cost it. */
export const MIN_MESH_FIGURES_PERIOD_MS = 10_000

/** The longest period a message may state. */
export const MAX_MESH_FIGURES_PERIOD_MS = 10 * 60_000

/** Upper bound on the UTF-8 length of a message's canonical form, signature included (a full one is about 900 bytes). */
export const MAX_MESH_FIGURES_BYTES = 2048

/** How far ahead of the verifier's clock a message's `at` may be. */
export const MAX_MESH_FIGURES_CLOCK_SKEW_MS = 5 * 60_000

/**
 * How old a message's `at` may be when it arrives: older ones are stale. With
 * the board's memory (MeshFiguresBoard keeps a peer at least this long plus
 * the skew after it last heard it), a replayed message is always caught.
 */
export const MAX_MESH_FIGURES_AGE_MS = 5 * 60_000

/** A peer counts as reporting until this many of its periods pass without a message. */
export const MESH_FIGURES_EXPIRY_PERIODS = 3

/** Peers a board keeps by default; past it, the one heard from least recently is folded into the retired totals. */
export const DEFAULT_MAX_MESH_FIGURES_PEERS = 4096

/** Messages a relay forwards per peer per window, and past which it rejects them as a flood. */
export const MESH_FIGURES_PER_WINDOW = 4
export const MESH_FIGURES_FLOOD_PER_WINDOW = 20
export const MESH_FIGURES_RATE_WINDOW_MS = 60_000
