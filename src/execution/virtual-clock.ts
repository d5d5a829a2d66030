/**
 * The clock a task sees: derived from its seed, never from the host, so the
 * same task reads the same times on every executor.
 *
 * Scheme (version 1):
 * - Realtime starts at 2020-01-01T00:00:00Z plus an offset below one year,
 *   in whole microseconds: the first 8 bytes (big-endian) of
 *   SHA-256("zerostate/clock" ‖ seed) modulo 365·86400·10^6.
 * - Monotonic (and the two CPU-time clocks) start at 0.
 * - Both advance together: every `clock_time_get` first adds 1 µs, so two
 *   reads are never equal and a loop that waits for time to pass ends;
 *   `poll_oneoff` on a clock adds the requested sleep instead of sleeping.
 * - `clock_res_get` reports 1 µs for every clock.
 *
 * WASI preview1 clock ids: 0 realtime, 1 monotonic, 2 process CPU time,
 * 3 thread CPU time.
 */
import { sha256 } from '@noble/hashes/sha2.js'

/** 2020-01-01T00:00:00Z in nanoseconds since the Unix epoch. */
export const CLOCK_EPOCH_NS = 1_577_836_800_000_000_000n

/** Each clock read advances the virtual time by this much: 1 µs. */
export const CLOCK_TICK_NS = 1_000n

const YEAR_US = 365n * 86_400n * 1_000_000n
const CLOCK_DOMAIN = new TextEncoder().encode('zerostate/clock')

export const CLOCK_REALTIME = 0
export const CLOCK_MONOTONIC = 1
export const CLOCK_PROCESS_CPUTIME = 2
export const CLOCK_THREAD_CPUTIME = 3

export class VirtualClock {
  /** Realtime at the start of the run, ns since the Unix epoch. */
  readonly realtimeStartNs: bigint
  private elapsed = 0n

  constructor (seed: Uint8Array) {
    const digest = sha256(concat(CLOCK_DOMAIN, seed))
    const offsetUs = new DataView(digest.buffer, digest.byteOffset, 8).getBigUint64(0, false) % YEAR_US
    this.realtimeStartNs = CLOCK_EPOCH_NS + offsetUs * 1_000n
  }

  /** Virtual nanoseconds since the run began, without advancing. */
  get elapsedNs (): bigint {
    return this.elapsed
  }

  /** True for the clock ids WASI preview1 defines. */
  static isKnown (id: number): boolean {
    return id === CLOCK_REALTIME || id === CLOCK_MONOTONIC || id === CLOCK_PROCESS_CPUTIME || id === CLOCK_THREAD_CPUTIME
  }

  /** One `clock_time_get`: advances one tick, then reads clock `id` (which must be known). */
  read (id: number): bigint {
    this.elapsed += CLOCK_TICK_NS
    return this.peek(id)
  }

  /** Clock `id` now, without advancing. */
  peek (id: number): bigint {
    return id === CLOCK_REALTIME ? this.realtimeStartNs + this.elapsed : this.elapsed
  }

  /** Moves time forward to when clock `id` reads `time` (no-op if already past). */
  advanceTo (id: number, time: bigint): void {
    const target = id === CLOCK_REALTIME ? time - this.realtimeStartNs : time
    if (target > this.elapsed) this.elapsed = target
  }
}

/** `a ‖ b` as one fresh array. */
export function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a, 0)
  out.set(b, a.byteLength)
  return out
}
