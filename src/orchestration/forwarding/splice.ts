import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

type Chunk = Uint8Array | Uint8ArrayList

/**
 * Joins two libp2p 3 streams byte for byte, in both directions, until
 * both directions have ended. When one side's remote closes its writable end,
 * the other side's writable end is closed; when either side fails (reset,
 * abort, closed with an error), both are aborted with that error and the
 * promise rejects. Backpressure: `send` returning false waits for `onDrain`.
 *
 * Each stream must not be read by anyone else. Both streams' async iterators
 * subscribe synchronously, inside this call, so a caller that unwraps a
 * `byteStream`/`pbStream` reader right after calling it loses no buffered
 * bytes (the reader re-emits them to the subscribed iterator).
 *
 * `onAToB`/`onBToA`, if given, is called when that direction completes.
 * `endBToA`, if given, is called once `b` has finished sending without
 * error: the bytes it returns are sent to `a` before `a`'s writable end
 * closes (a forwarding hop's trace trailer).
 */
export async function splice (
  a: Stream,
  b: Stream,
  options: { onAToB?(): void, onBToA?(): void, endBToA?(): Uint8Array | undefined } = {}
): Promise<void> {
  const fail = (err: unknown): never => {
    const error = err instanceof Error ? err : new Error(String(err))
    if (a.status === 'open' || a.status === 'closing') a.abort(error)
    if (b.status === 'open' || b.status === 'closing') b.abort(error)
    throw error
  }
  const pump = async (from: AsyncIterator<Chunk>, first: Promise<IteratorResult<Chunk>>, to: Stream, end?: () => Uint8Array | undefined): Promise<void> => {
    try {
      let next = await first
      while (next.done !== true) {
        if (!to.send(next.value)) await to.onDrain()
        next = await from.next()
      }
      const tail = to.writeStatus === 'writable' ? end?.() : undefined
      if (tail !== undefined && !to.send(tail)) await to.onDrain()
      if (to.writeStatus === 'writable') await to.close()
    } catch (err) {
      fail(err)
    }
  }
  // Start both iterators now (this subscribes their listeners synchronously).
  const fromA = a[Symbol.asyncIterator]()
  const fromB = b[Symbol.asyncIterator]()
  const firstA = fromA.next()
  const firstB = fromB.next()
  await Promise.all([
    pump(fromA, firstA, b).then(() => options.onAToB?.()),
    pump(fromB, firstB, a, options.endBToA).then(() => options.onBToA?.())
  ])
}
