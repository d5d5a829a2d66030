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

/**
 * An executor that refuses a task as busy (ExecutorBusyError) is offered it
 * again after a backoff: BUSY_RETRY_FIRST_DELAY_MS, doubling up to
 * BUSY_RETRY_MAX_DELAY_MS, each with ±50 % jitter so that refused submitters
 * do not all come back at once. Its queue drains at the pace of its tasks,
 * which the submitter cannot know, hence exponential.
 */
export const BUSY_RETRY_FIRST_DELAY_MS = 250
export const BUSY_RETRY_MAX_DELAY_MS = 4000

/**
 * How long a task keeps being offered to a busy executor before submit()
 * rejects with ExecutorBusyError: long enough to ride out another peer's
 * burst, short enough that the user hears of an executor that stays full.
 */
export const BUSY_RETRY_WINDOW_MS = 60_000

/**
 * A stream to the executor that dies before the executor accepted the task
 * (ExecutorLostError while offering or sending the module) is offered again
 * this many times, after this delay, on a connection looked up afresh. The
 * executor never took the task, so it cannot run twice; what dies there is
 * usually a connection the executor is replacing — the same peer reloaded,
 * and the executor still held the old page's connection.
 */
export const LOST_BEFORE_ACCEPT_REOFFERS = 1
export const LOST_BEFORE_ACCEPT_REOFFER_DELAY_MS = 500

/**
 * A task whose executor was lost after it accepted (ExecutorLostError: the
 * tab closed, the connection died) or whose forwarded route ran out
 * (HopLimitError) is dispatched again by its origin to the best executor it
 * has not tried, up to this many times (issue 16: no task lost). The task is
 * deterministic, so another executor gives the same result; only the receipt
 * that comes back is kept and paid for. A task for a named executor, or
 * awarded by auction, is not moved.
 */
export const MAX_REDISPATCHES = 2

/**
 * The errors after which a task is dispatched again elsewhere. An executor
 * whose engine could not allocate the task's memory even on a fresh worker
 * (SandboxOutOfMemoryError, worker-pool.ts) signed no receipt: the task never
 * ran there, and may on another peer.
 */
export const REDISPATCH_ON: readonly string[] = ['ExecutorLostError', 'HopLimitError', 'SandboxOutOfMemoryError']

/**
 * How long a task too large for the relayed connection to its executor
 * waits for the direct (WebRTC) one the mesh's upgrade opens: the higher of
 * two PeerIds waits 3 s before dialling (peer-mesh.ts upgradeGraceMs), and a
 * dial takes a few seconds more on a slow network.
 */
export const DIRECT_CONNECTION_WAIT_MS = 10_000

/**
 * What a task needs of a relayed connection's data limit beyond its module
 * and inputs: the offer's other fields, the framing, noise and yamux
 * overhead, and a small answer. A larger answer is the executor's to send;
 * the relay may cut it off, which the submitter hears as a lost executor.
 */
export const LIMITED_CONNECTION_HEADROOM_BYTES = 16 * 1024
