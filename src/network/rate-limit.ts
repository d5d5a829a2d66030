/**
 * A token bucket per key (a PeerId, usually): each key may spend `burst`
 * tokens at once and earns `perSecond` back, up to `burst`. Pure: the clock
 * is given. At most `maxKeys` buckets are held; when a new key arrives at the
 * limit, the least recently used bucket is dropped — a dropped key comes
 * back with a full bucket, which costs at most one burst per key and keeps
 * memory flat whatever number of identities a flood uses.
 */

export interface RateLimit {
  /** Tokens a key may spend at once. */
  burst: number
  /** Tokens a key earns back per second. */
  perSecond: number
}

export interface RateLimiterInit extends RateLimit {
  /** Most keys tracked at once; default 4096. */
  maxKeys?: number
  /** Unix epoch milliseconds (or any monotonic ms clock). */
  now(): number
}

interface Bucket {
  tokens: number
  at: number
}

const DEFAULT_MAX_KEYS = 4096

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly burst: number
  private readonly perMs: number
  private readonly maxKeys: number
  private readonly now: () => number

  constructor (init: RateLimiterInit) {
    if (!(init.burst >= 1) || !Number.isFinite(init.burst)) throw new RangeError(`burst must be a number ≥ 1, got ${init.burst}`)
    if (!(init.perSecond >= 0) || !Number.isFinite(init.perSecond)) throw new RangeError(`perSecond must be a finite number ≥ 0, got ${init.perSecond}`)
    this.burst = init.burst
    this.perMs = init.perSecond / 1000
    this.maxKeys = init.maxKeys ?? DEFAULT_MAX_KEYS
    this.now = init.now
  }

  /** Spends one of `key`'s tokens: true if it had one. */
  take (key: string): boolean {
    const now = this.now()
    const bucket = this.refilled(key, now)
    // Most recently used last, so the first key is the one to drop.
    this.buckets.delete(key)
    this.buckets.set(key, bucket)
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Whether `key` has a token now, without spending it. */
  allows (key: string): boolean {
    return this.refilled(key, this.now()).tokens >= 1
  }

  /** Keys tracked now. */
  get size (): number {
    return this.buckets.size
  }

  private refilled (key: string, now: number): Bucket {
    const held = this.buckets.get(key)
    if (held === undefined) return { tokens: this.burst, at: now }
    held.tokens = Math.min(this.burst, held.tokens + Math.max(0, now - held.at) * this.perMs)
    held.at = now
    return held
  }
}
