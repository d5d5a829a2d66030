/**
 * A PeerStore whose module reads are served from memory when they can be: an
 * executor asked to run the same module again should not wait on IndexedDB
 * for bytes it read a moment ago. Bounded by total bytes, least recently used
 * first out. Everything else passes straight through.
 */
import type { PeerStore, RecordTypes } from './types.ts'

export const DEFAULT_MODULE_CACHE_BYTES = 64 * 1024 * 1024

export function withModuleCache<R extends RecordTypes> (store: PeerStore<R>, maxBytes: number = DEFAULT_MODULE_CACHE_BYTES): PeerStore<R> {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`)
  // Map order doubles as recency: a hit is moved to the end.
  const cache = new Map<string, Uint8Array>()
  let cachedBytes = 0

  const remember = (hash: string, bytes: Uint8Array): void => {
    if (bytes.byteLength > maxBytes) return
    const previous = cache.get(hash)
    if (previous !== undefined) {
      cache.delete(hash)
      cachedBytes -= previous.byteLength
    }
    cache.set(hash, bytes)
    cachedBytes += bytes.byteLength
    for (const [oldest, old] of cache) {
      if (cachedBytes <= maxBytes) break
      cache.delete(oldest)
      cachedBytes -= old.byteLength
    }
  }

  // Every PeerStore is a plain object of closures (no `this`), so its methods can be passed through by spreading.
  return {
    ...store,
    close: () => { cache.clear(); store.close() },
    async getModule (hash) {
      const hit = cache.get(hash)
      if (hit !== undefined) {
        remember(hash, hit)
        // Callers get their own copy, as from the underlying store.
        return hit.slice()
      }
      const bytes = await store.getModule(hash)
      if (bytes !== undefined) remember(hash, bytes.slice())
      return bytes
    },
    async hasModule (hash) {
      return cache.has(hash) || await store.hasModule(hash)
    },
    async putModule (hash, bytes) {
      await store.putModule(hash, bytes)
      remember(hash, bytes.slice())
    }
  }
}
