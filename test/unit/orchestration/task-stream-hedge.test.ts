/**
 * A task stream that does not open in time gets a second opened beside it
 * (task-protocol/open-stream.ts openTaskStream): on these machines about
 * one WebRTC `newStream` in 1,500 never opens, and a task sent to a named
 * executor would otherwise fail after the offer timeout. A direct connection
 * on which neither opens, carrying nothing else, is closed as dead
 * (StalledConnectionError) so that the task can go over another. Fake
 * connections whose stream openings the test settles by hand.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { StalledConnectionError, TASK_PROTOCOL, openTaskStream } from '../../../src/orchestration/task-protocol/index.ts'

const HEDGE_MS = 30

/** One stream opening the test settles. */
interface Opening {
  protocol: string
  signal?: AbortSignal
  open(): Stream
  fail(err: Error): void
}

/** A stand-in stream that records its reset. */
function fakeStream (name: string): Stream & { aborted?: Error } {
  const stream = { name, aborted: undefined as Error | undefined, abort (err: Error) { stream.aborted = err } }
  return stream as unknown as Stream & { aborted?: Error }
}

/** Stands for a stream the connection carries besides the task's. */
interface OtherStream { protocol: string, status: string }

/** A connection whose `newStream` calls wait until the test opens or fails them; it records its abort. */
function fakeConnection (limited = false, others: OtherStream[] = []): { connection: Connection & { aborted?: Error }, openings: Opening[] } {
  const openings: Opening[] = []
  const connection = {
    limits: limited ? { bytes: 1n << 17n } : undefined,
    status: 'open',
    remotePeer: { toString: () => '12D3KooWexecutor' },
    streams: others,
    aborted: undefined as Error | undefined,
    abort (err: Error) {
      connection.aborted = err
      connection.status = 'closed'
      for (const opening of openings) opening.fail(err)
    },
    newStream: async (protocol: string, options: { signal?: AbortSignal } = {}) => new Promise<Stream>((resolve, reject) => {
      const index = openings.length
      openings.push({
        protocol,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        open: () => {
          const stream = fakeStream(`stream ${index}`)
          resolve(stream)
          return stream
        },
        fail: reject
      })
      options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }, { once: true })
    })
  }
  return { connection: connection as unknown as Connection & { aborted?: Error }, openings }
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('opening a task stream', () => {
  it('opens one stream when it opens in time', async () => {
    const { connection, openings } = fakeConnection()
    const opening = openTaskStream(connection, undefined, { hedgeMs: HEDGE_MS, stallMs: 60_000 })
    await sleep(1)
    const stream = openings[0]!.open()
    expect(await opening).toBe(stream)
    await sleep(HEDGE_MS * 2)
    expect(openings).toHaveLength(1)
    expect(openings[0]!.protocol).toBe(TASK_PROTOCOL)
  })

  it('opens a second beside one that hangs, takes the second, and resets the first if it opens after all', async () => {
    const { connection, openings } = fakeConnection()
    const opening = openTaskStream(connection, AbortSignal.timeout(10_000), { hedgeMs: HEDGE_MS, stallMs: 60_000 })
    await sleep(HEDGE_MS * 2)
    expect(openings).toHaveLength(2)
    const second = openings[1]!.open()
    expect(await opening).toBe(second)
    // The hung one opens late: it is not the task's, so it is reset; the task's stream is not.
    const first = openings[0]!.open() as Stream & { aborted?: Error }
    await sleep(1)
    expect(first.aborted?.message).toMatch(/not needed/)
    expect((second as Stream & { aborted?: Error }).aborted).toBeUndefined()
  })

  it('takes the first when it opens before the second, and resets the second', async () => {
    const { connection, openings } = fakeConnection()
    const opening = openTaskStream(connection, undefined, { hedgeMs: HEDGE_MS, stallMs: 60_000 })
    await sleep(HEDGE_MS * 2)
    const first = openings[0]!.open()
    expect(await opening).toBe(first)
    const second = openings[1]!.open() as Stream & { aborted?: Error }
    await sleep(1)
    expect(second.aborted).toBeDefined()
  })

  it('takes the second when the first fails after the hedge, and fails with the first error only when both fail', async () => {
    const one = fakeConnection()
    const opening = openTaskStream(one.connection, undefined, { hedgeMs: HEDGE_MS, stallMs: 60_000 })
    await sleep(HEDGE_MS * 2)
    one.openings[0]!.fail(new Error('first failed'))
    const second = one.openings[1]!.open()
    expect(await opening).toBe(second)

    const both = fakeConnection()
    const failing = openTaskStream(both.connection, undefined, { hedgeMs: HEDGE_MS, stallMs: 60_000 })
    await sleep(HEDGE_MS * 2)
    both.openings[1]!.fail(new Error('second failed'))
    both.openings[0]!.fail(new Error('first failed'))
    await expect(failing).rejects.toThrow('first failed')
  })

  it('fails at once, with no second, when the first fails before the hedge', async () => {
    const { connection, openings } = fakeConnection()
    const opening = openTaskStream(connection, undefined, { hedgeMs: HEDGE_MS, stallMs: 60_000 })
    openings[0]!.fail(new Error('refused'))
    await expect(opening).rejects.toThrow('refused')
    await sleep(HEDGE_MS * 2)
    expect(openings).toHaveLength(1)
  })

  it('gives up on both when the signal does', async () => {
    const { connection, openings } = fakeConnection()
    const controller = new AbortController()
    const opening = openTaskStream(connection, controller.signal, { hedgeMs: HEDGE_MS, stallMs: 60_000 })
    await sleep(HEDGE_MS * 2)
    expect(openings).toHaveLength(2)
    controller.abort(new Error('gave up'))
    await expect(opening).rejects.toThrow('gave up')
  })

  it('opens no second stream on a connection with a data limit (relayed): its bytes are counted', async () => {
    const { connection, openings } = fakeConnection(true)
    const opening = openTaskStream(connection, undefined, { hedgeMs: HEDGE_MS, stallMs: 60_000 })
    await sleep(HEDGE_MS * 2)
    expect(openings).toHaveLength(1)
    const stream = openings[0]!.open()
    expect(await opening).toBe(stream)
  })

  it('closes a direct connection on which neither opens by the stall time, carrying nothing else, and says so', async () => {
    const { connection, openings } = fakeConnection(false, [{ protocol: '', status: 'open' }])
    const opening = openTaskStream(connection, AbortSignal.timeout(10_000), { hedgeMs: HEDGE_MS, stallMs: HEDGE_MS * 3 })
    const failed = expect(opening).rejects.toThrow(StalledConnectionError)
    await sleep(HEDGE_MS * 2)
    expect(openings).toHaveLength(2)
    expect(connection.aborted).toBeUndefined()
    await failed
    expect(connection.aborted).toBeInstanceOf(StalledConnectionError)
    expect(connection.aborted?.name).toBe('StalledConnectionError')
    expect(connection.aborted?.message).toMatch(/12D3KooWexecutor/)
  })

  it('leaves a connection that carries another negotiated stream open, and still takes a stream that opens late', async () => {
    const { connection, openings } = fakeConnection(false, [{ protocol: '/ipfs/id/1.0.0', status: 'open' }])
    const opening = openTaskStream(connection, AbortSignal.timeout(10_000), { hedgeMs: HEDGE_MS, stallMs: HEDGE_MS * 2 })
    await sleep(HEDGE_MS * 4)
    expect(connection.aborted).toBeUndefined()
    const second = openings[1]!.open()
    expect(await opening).toBe(second)
  })

  it('never closes the connection once a stream opened before the stall time, even when nothing is open on it later', async () => {
    const { connection, openings } = fakeConnection()
    const opening = openTaskStream(connection, undefined, { hedgeMs: HEDGE_MS, stallMs: HEDGE_MS * 3 })
    await sleep(HEDGE_MS * 2)
    const first = openings[0]!.open()
    expect(await opening).toBe(first)
    // The task's stream has closed since (connection.streams is empty): the connection served it, and stays.
    await sleep(HEDGE_MS * 3)
    expect(connection.aborted).toBeUndefined()
  })
})
