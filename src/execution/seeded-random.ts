/**
 * The bytes a task gets from `random_get`: SHA-256 in counter mode over its
 * seed, block i = SHA-256(seed ‖ u64be(i)), i = 0, 1, 2…, consumed in order
 * across calls. Deterministic (the same task gets the same bytes on every
 * executor), portable (no engine- or platform-specific generator) and
 * unpredictable to anyone who does not know the seed. Not for secrets: the
 * seed travels with the task.
 */
import { sha256 } from '@noble/hashes/sha2.js'

const BLOCK_BYTES = 32

export class SeededRandom {
  private readonly input: Uint8Array
  private readonly counter: DataView
  private block = new Uint8Array(0)
  private used = 0
  private next = 0n

  constructor (seed: Uint8Array) {
    this.input = new Uint8Array(seed.byteLength + 8)
    this.input.set(seed, 0)
    this.counter = new DataView(this.input.buffer, seed.byteLength, 8)
  }

  /** Fills `out` with the next `out.byteLength` bytes of the stream. */
  fill (out: Uint8Array): void {
    let offset = 0
    while (offset < out.byteLength) {
      if (this.used === this.block.byteLength) {
        this.counter.setBigUint64(0, this.next++, false)
        this.block = sha256(this.input)
        this.used = 0
      }
      const n = Math.min(BLOCK_BYTES - this.used, out.byteLength - offset)
      out.set(this.block.subarray(this.used, this.used + n), offset)
      this.used += n
      offset += n
    }
  }
}
