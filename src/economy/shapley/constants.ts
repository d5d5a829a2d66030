/**
 * Fixed values of the Shapley split (docs/shapley-split.md). Changing any of
 * them changes splits that others recompute, so each is part of the rule.
 */

/**
 * Most players split exactly. The subset formula evaluates v on all 2^n
 * coalitions: 4096 at n = 12, and each player sums over 2048 of them. Above
 * this the split is sampled (Castro, Gómez & Tejada 2009).
 */
export const MAX_EXACT_PLAYERS = 12

/**
 * Most players a sampled split accepts. Each permutation costs n + 1
 * evaluations of v; a workflow with more contributors than this is a caller's
 * mistake or a flood.
 */
export const MAX_SAMPLED_PLAYERS = 256

/**
 * Most permutations one sampled split draws. When Hoeffding's bound asks for
 * more, the split is refused (TooManyPermutationsError) rather than capped: a
 * capped sample would no longer carry the stated (ε, δ) guarantee. Ask for a
 * larger ε instead. At n = 16 and δ = DEFAULT_DELTA this allows ε down to
 * about range / 439.
 */
export const MAX_PERMUTATIONS = 1_000_000

/** Default failure probability δ of a sampled split: all n estimates are within ε with probability at least 1 − δ. */
export const DEFAULT_DELTA = 0.001

/**
 * Default ε of a sampled split as a fraction of `range` (the width of the
 * interval every marginal contribution lies in): ε = range / 100. At n = 16 and
 * δ = 0.001 that is m = ⌈10^4 · ln(32 000) / 2⌉ = 51 868 permutations.
 */
export const DEFAULT_RELATIVE_EPSILON = 0.01

/**
 * Sampled splits memoize v over bitmask coalitions up to this many players
 * (2^20 entries, 8 MiB); above it every evaluation calls v.
 */
export const MAX_MEMO_PLAYERS = 20

/** Tag of every split record (signed by whoever computes the split). */
export const SPLIT_RECORD_KIND = 'zerostate/shapley-split/1'

/** Most roles, and synergies, a split record's game lists; a synergy names at most MAX_SPLIT_SYNERGY_MEMBERS members. */
export const MAX_SPLIT_ROLES = 64
export const MAX_SPLIT_SYNERGIES = 64
export const MAX_SPLIT_SYNERGY_MEMBERS = 16

/**
 * Upper bound on the UTF-8 length of a split record's canonical form. A member
 * with one role and its share is about 200 bytes, so MAX_SAMPLED_PLAYERS
 * members with a few roles each fit.
 */
export const MAX_SPLIT_RECORD_BYTES = 256 * 1024

/**
 * Most elementary steps a split record may take to recompute: the evaluations
 * of v (2^n exact; m·n sampled, or at most 2^n distinct ones when memoized up
 * to MAX_MEMO_PLAYERS) times the cost of one (the roles, the members' costs and
 * the synergies' members), plus m·n for drawing the orders. A record whose ε
 * asks for more is refused before any work (SplitTooCostlyError): a verifier
 * is never made to spend long on a record its signer chose. At the default ε
 * a game of 30 members with a step each is about 100 million (2.4 s on one
 * core in the tests' machine), so the limit is about 6 s.
 */
export const MAX_SPLIT_WORK = 250_000_000
