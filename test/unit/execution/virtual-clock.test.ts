import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../src/execution/seeded-random.ts'
import { CLOCK_EPOCH_NS, CLOCK_MONOTONIC, CLOCK_REALTIME, VirtualClock } from '../../../src/execution/virtual-clock.ts'

const seed = new Uint8Array(32).map((_, i) => i)
const sha256 = (...parts: Uint8Array[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest()
const u64be = (n: bigint): Uint8Array => { const b = Buffer.alloc(8); b.writeBigUInt64BE(n); return b }

describe('VirtualClock', () => {
  it('starts realtime at 2020-01-01 plus SHA-256("zerostate/clock" ‖ seed) mod one year, in µs', () => {
    const digest = sha256(Buffer.from('zerostate/clock'), seed)
    const offsetUs = digest.readBigUInt64BE(0) % (365n * 86_400n * 1_000_000n)
    expect(new VirtualClock(seed).realtimeStartNs).toBe(CLOCK_EPOCH_NS + offsetUs * 1000n)
  })

  it('advances both clocks 1 µs per read, and jumps forward on advanceTo only', () => {
    const clock = new VirtualClock(seed)
    expect(clock.read(CLOCK_MONOTONIC)).toBe(1000n)
    expect(clock.read(CLOCK_REALTIME)).toBe(clock.realtimeStartNs + 2000n)
    clock.advanceTo(CLOCK_MONOTONIC, 5_000_000n)
    clock.advanceTo(CLOCK_MONOTONIC, 1n)
    expect(clock.peek(CLOCK_MONOTONIC)).toBe(5_000_000n)
    expect(VirtualClock.isKnown(4)).toBe(false)
  })
})

describe('SeededRandom', () => {
  it('is SHA-256(seed ‖ u64be(counter)) in order, however the reads are split', () => {
    const expected = Buffer.concat([sha256(seed, u64be(0n)), sha256(seed, u64be(1n)), sha256(seed, u64be(2n))])
    const random = new SeededRandom(seed)
    const out = new Uint8Array(96)
    random.fill(out.subarray(0, 5))
    random.fill(out.subarray(5, 70))
    random.fill(out.subarray(70))
    expect(Buffer.from(out).equals(expected)).toBe(true)
  })
})
