/**
 * Defaults and limits of Q-routing (Boyan & Littman, 1994, "Packet Routing in
 * Dynamically Changing Networks: A Reinforcement Learning Approach").
 */

/** η, the learning rate of the update rule Q ← Q + η·(q + s + t − Q) (§2). The paper uses 0.5 in its experiments. */
export const DEFAULT_LEARNING_RATE = 0.5

/** Estimate in ms of an unknown (destination, neighbour) pair, and the value stale estimates decay toward. */
export const DEFAULT_PRIOR_MS = 1000

/** ε-greedy exploration: probability of trying a non-best neighbour before any update. */
export const DEFAULT_EXPLORATION_START = 0.2

/** The floor ε decays toward; never zero, so a path that became fast is eventually rediscovered. */
export const DEFAULT_EXPLORATION_FLOOR = 0.01

/** ε − floor shrinks by a factor e every this many updates. */
export const DEFAULT_EXPLORATION_DECAY_UPDATES = 1000

/** An estimate not refreshed for this long starts decaying toward the prior. */
export const DEFAULT_STALE_AFTER_MS = 30_000

/** Half-life of a stale estimate's distance from the prior. */
export const DEFAULT_DECAY_HALF_LIFE_MS = 60_000

/**
 * A seeded (warm-start) estimate's distance from the prior halves every this
 * many updates of the router after it was seeded. A seed is a neighbour's
 * claim at the moment the connection opened (its estimate plus the link), not
 * a measurement of this path; under load it is stale-low, and Q-routing
 * corrects an entry only by sending a task that way, so every untried seed
 * lured one task a hop further (in the simulation at 1,000 peers, load 0.9,
 * 9.6 hops against 4.1 cold). Counted in updates, not ms: a quiet tab keeps
 * its seeds; a busy one leans on its own measurements.
 */
export const DEFAULT_SEED_HALF_LIFE_UPDATES = 32

/** Version of the serialised Q-table produced and accepted by `QRouter.toJSON`/`fromJSON`. */
export const Q_TABLE_VERSION = 1

/** Upper bound on the entries of a Q-table loaded with `fromJSON` (it may come from storage written by another build). */
export const MAX_Q_TABLE_ENTRIES = 1_000_000

/** Upper bound on the length of a destination or neighbour key. */
export const MAX_ROUTE_KEY_LENGTH = 256
