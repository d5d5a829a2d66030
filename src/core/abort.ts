/** Time and cancellation helpers shared by every layer that waits on something. */

/**
 * A fresh signal that aborts after `ms`, or earlier with `signal` when one is
 * given: each step of a protocol gets its own timeout under the caller's.
 */
export function withTimeout (signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms)
  return signal == null ? timeout : AbortSignal.any([signal, timeout])
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
