import { DIAL_BACKOFF_INITIAL_MS, DIAL_BACKOFF_MAX_MS } from './constants.ts'

/**
 * Exponential backoff with full jitter: attempt 0 waits up to the initial
 * delay, each further attempt doubles the cap until the maximum. Jitter keeps
 * a crowd of tabs that lost the same relay from redialling in lockstep.
 */
export function backoffDelay (attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_INITIAL_MS * 2 ** Math.max(0, attempt))
  return Math.round(cap / 2 + (random() * cap) / 2)
}
