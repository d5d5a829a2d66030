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
