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

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
