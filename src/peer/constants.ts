/** Defaults of a peer, in a tab or in Node. */

/** The reference module and input of a peer's speed benchmark (a few ms of work), which its Agent Card states. */
export const BENCHMARK_SAMPLE = 'primes'
export const BENCHMARK_INPUT = '300000'
