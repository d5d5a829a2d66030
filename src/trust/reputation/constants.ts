/** Defaults and limits of the reputation book and of signed reputation reports. */

/** The outcomes a peer's piece of work can have, as recorded by whoever handed it out. */
export const OUTCOMES = ['success', 'wrong-result', 'timeout', 'refusal', 'no-show'] as const

export type Outcome = typeof OUTCOMES[number]

/** The value each outcome pulls a score toward: 1 is perfect work, 0 is none (or worse, a wrong answer). */
export const OUTCOME_VALUES: Readonly<Record<Outcome, number>> = {
  success: 1,
  'wrong-result': 0,
  timeout: 0.2,
  refusal: 0.4,
  'no-show': 0
}

/**
 * How many ordinary EMA steps one outcome counts for. A wrong result is
 * weighted heavier than a no-show: it costs the submitter a verification and
 * may be an attack, where a no-show only costs a retry.
 */
export const OUTCOME_WEIGHTS: Readonly<Record<Outcome, number>> = {
  success: 1,
  'wrong-result': 3,
  timeout: 1,
  refusal: 1,
  'no-show': 1
}

/** Score of a peer never observed, and what every score decays toward. */
export const NEUTRAL_SCORE = 0.5

/** α in s ← s + α·(value − s), per unit of outcome weight. */
export const DEFAULT_LEARNING_RATE = 0.1

/** Half-life of a score's distance from neutral: 7 days. */
export const DEFAULT_HALF_LIFE_MS = 7 * 24 * 60 * 60 * 1000

/** A bad outcome leaving the score below this blacklists the peer. */
export const DEFAULT_BLACKLIST_THRESHOLD = 0.3

/** How long a blacklisting lasts: 24 hours. */
export const DEFAULT_BLACKLIST_MS = 24 * 60 * 60 * 1000

/** Outcomes kept per peer in `history`. */
export const DEFAULT_HISTORY_LENGTH = 20

/** Upper bound on the configurable history length. */
export const MAX_HISTORY_LENGTH = 256

/** Peers a book remembers by default; beyond this the least recently observed one is forgotten. */
export const DEFAULT_MAX_PEERS = 4096

/** Upper bound on the configurable number of peers. */
export const MAX_PEERS = 65536

/** Upper bound on the number of whitelisted peers. */
export const MAX_WHITELIST = 1024

/** Upper bound on the length of a peer key in the book (a base58btc Ed25519 PeerId is 52 characters). */
export const MAX_PEER_KEY_LENGTH = 128

/** The serialised book's format version. */
export const REPUTATION_BOOK_VERSION = 1

/** The signed report's format version. */
export const REPORT_VERSION = 1

/** Upper bound on the UTF-8 length of a report's canonical form, signature included. */
export const MAX_REPORT_BYTES = 1024

/** How far ahead of the verifier's clock a report's `at` may be. */
export const MAX_REPORT_CLOCK_SKEW_MS = 5 * 60 * 1000

/** Reports counted per (reporter, subject) pair in one aggregation: the newest ones. */
export const DEFAULT_MAX_REPORTS_PER_PAIR = 8

/** Upper bound on the reports one aggregation accepts. */
export const MAX_AGGREGATED_REPORTS = 100000

/**
 * EigenTrust's a (Kamvar et al. 2003, §4.5): the share of trust that returns
 * to the pre-trusted set (here: ourselves) at each iteration. Set high so that
 * our own observations always keep at least this weight against all reports.
 */
export const DEFAULT_DAMPING = 0.5

/** Power iterations; EigenTrust converges in under ten on their simulations (§4.3). */
export const DEFAULT_ITERATIONS = 10

/** Gossipsub topic of signed reputation reports. */
export const REPUTATION_TOPIC = '/zerostate/reputation/1.0.0'
