import { sha256Hex, utf8ToBytes } from '../../core/index.ts'

/**
 * A 32-bit seed from a string, such as a run id: the first four bytes of
 * SHA-256(UTF-8(text)), read big-endian. Anyone holding the string gets the
 * same seed, so a sampled split (`mulberry32(seedFromString(runId))`) can be
 * recomputed and checked by anyone.
 */
export function seedFromString (text: string): number {
  if (typeof text !== 'string') throw new TypeError('seedFromString needs a string')
  return Number.parseInt(sha256Hex(utf8ToBytes(text)).slice(0, 8), 16) >>> 0
}
