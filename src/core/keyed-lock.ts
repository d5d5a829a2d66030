/**
 * Runs async work one at a time per key: a channel's updates must apply in
 * sequence order, so two payments on one channel never race for the same
 * sequence number, while different channels proceed in parallel.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>()

  async run<T> (key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const result = previous.then(work, work)
    const tail = result.then(() => {}, () => {})
    this.tails.set(key, tail)
    try {
      return await result
    } finally {
      // Forget the key once nothing is queued behind this run, so the map stays small.
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
