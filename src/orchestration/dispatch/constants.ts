/** Defaults and bounds of dispatching a task. */

/** How long a submit waits for a contributing peer to announce itself. */
export const EXECUTOR_WAIT_MS = 10_000

/** How often the wait for an executor looks again. */
export const EXECUTOR_POLL_MS = 250

/** Sealed-bid defaults (docs/bids.md): the 3 best-ranked asked, bids awaited 1.5 s, bidders below 0.3 reputation never awarded. */
export const DEFAULT_AUCTION = { candidates: 3, windowMs: 1500, reputationFloor: 0.3 } as const

export const MAX_AUCTION_CANDIDATES = 8
export const MIN_AUCTION_WINDOW_MS = 100
export const MAX_AUCTION_WINDOW_MS = 10_000

/** Most executors one redundant task runs on. */
export const MAX_REDUNDANCY = 5
