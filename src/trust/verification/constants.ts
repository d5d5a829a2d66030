/**
 * Defaults and limits of the submitter's verification policy (policy.ts) and
 * of its book of checked work (checked-work-book.ts). The defaults are the
 * ones `npm run sim:trust` measures as the `risk` configuration.
 */

/** A new executor's first tasks are always checked: this many confirmations before the policy gambles at all. */
export const DEFAULT_FIRST_CHECKS = 3

/**
 * The Beta prior on an executor's rate of wrong results: Beta(PRIOR_WRONG,
 * PRIOR_RIGHT), i.e. one imagined wrong and one imagined right result — a
 * newcomer is a coin toss until checks say otherwise (Laplace's rule of
 * succession).
 */
export const DEFAULT_PRIOR_WRONG = 1
export const DEFAULT_PRIOR_RIGHT = 1

/**
 * The check probability is CHECK_GAIN × (posterior mean wrong rate) ×
 * (value / referenceValue): with the defaults, an executor confirmed 3
 * times is checked on every task of reference value, one confirmed 10 times
 * on 2 in 5, one confirmed 100 times on 1 in 20 (the floor). Tuned with
 * `npm run sim:trust` (the `risk+kept` rows): 5 is the lowest gain that kept
 * wrong results under 0.5 % at 30 % malicious on seeds 1–3.
 */
export const DEFAULT_CHECK_GAIN = 5

/** The check probability never falls below this: a long record still pays a small, steady tax. */
export const DEFAULT_MIN_CHECK_RATE = 0.05

/** A task of this value (the caller's unit: µ of price, fuel, or a declared value) is checked at the base probability. */
export const DEFAULT_REFERENCE_VALUE = 1

/** Payment for a checked task is held until the check lands while the executor has fewer confirmations than this. */
export const DEFAULT_HOLD_UNTIL_CONFIRMED = 10

/** Confirmations of old stand for half as much after this long without a check (an idle record grows stale): 7 days. */
export const DEFAULT_EVIDENCE_HALF_LIFE_MS = 7 * 24 * 60 * 60 * 1000

/**
 * A peer re-runs other executors' tasks for this submitter only once it has
 * this many confirmations and none contradicted. A cheat that is honest most
 * of the time passes a few checks by luck, and as a checker it could vouch
 * for its friends: `npm run sim:trust` shows 8 halving the wrong results at
 * 50 % malicious against 5, for more of the checks run by the submitter itself.
 */
export const DEFAULT_MIN_CHECKER_CONFIRMED = 8

/** Peers a checked-work book remembers by default; beyond it the least recently checked one is forgotten. */
export const DEFAULT_MAX_CHECKED_PEERS = 4096

/** Upper bound on the configurable number of peers in a checked-work book. */
export const MAX_CHECKED_PEERS = 65536

/** Upper bound on the length of a peer key in a checked-work book (a base58btc Ed25519 PeerId is 52 characters). */
export const MAX_CHECKED_PEER_KEY_LENGTH = 128

/** The serialised checked-work book's format version. */
export const CHECKED_WORK_BOOK_VERSION = 1
