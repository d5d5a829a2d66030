/**
 * /zerostate/echo/1.0.0 between two real libp2p nodes in Node (websockets on
 * loopback, noise, yamux).
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ECHO_PROTOCOL, MAX_ECHO_BYTES } from '../../../src/network/echo/index.ts'
import { handleEcho, measureEcho } from '../../../src/network/echo/echo.ts'
import { startTestNode } from '../../support/libp2p-node.ts'

describe('echo between two libp2p nodes', () => {
  let server: Libp2p
  let client: Libp2p
  let connection: Connection

  beforeAll(async () => {
    server = await startTestNode({ listen: true })
    client = await startTestNode({ listen: false })
    await server.handle(ECHO_PROTOCOL, async (stream) => handleEcho(stream))
    connection = await client.dial(server.getMultiaddrs()[0]!)
  })

  afterAll(async () => {
    await client?.stop()
    await server?.stop()
  })

  for (const reuseStream of [true, false]) {
    it(`times count round trips with reuseStream = ${reuseStream}`, async () => {
      const timings = await measureEcho(connection, { count: 5, payloadBytes: 256, reuseStream })
      expect(timings).toHaveLength(5)
      for (const t of timings) {
        expect(Number.isFinite(t)).toBe(true)
        expect(t).toBeGreaterThan(0)
      }
    })
  }

  it('carries the largest payload', async () => {
    const timings = await measureEcho(connection, { count: 2, payloadBytes: MAX_ECHO_BYTES, reuseStream: true })
    expect(timings).toHaveLength(2)
  })

  it('leaves no echo streams open afterwards', async () => {
    await measureEcho(connection, { count: 3, payloadBytes: 16, reuseStream: false })
    await measureEcho(connection, { count: 3, payloadBytes: 16, reuseStream: true })
    await expect.poll(() => connection.streams.filter(s => s.protocol === ECHO_PROTOCOL).length).toBe(0)
  })

  it('rejects a count out of range with RangeError', async () => {
    for (const count of [0, -1, 1.5, 10_001, Number.NaN]) {
      await expect(measureEcho(connection, { count, payloadBytes: 16, reuseStream: true }))
        .rejects.toMatchObject({ name: 'RangeError' })
    }
  })

  it('rejects a payload size out of range with RangeError', async () => {
    for (const payloadBytes of [0, -1, 2.5, MAX_ECHO_BYTES + 1, Number.POSITIVE_INFINITY]) {
      await expect(measureEcho(connection, { count: 1, payloadBytes, reuseStream: false }))
        .rejects.toMatchObject({ name: 'RangeError' })
    }
  })

  it('rejects with the signal\'s reason when aborted', async () => {
    await expect(measureEcho(connection, { count: 3, payloadBytes: 16, reuseStream: true, signal: AbortSignal.abort() }))
      .rejects.toMatchObject({ name: 'AbortError' })
    await expect.poll(() => connection.streams.filter(s => s.protocol === ECHO_PROTOCOL).length).toBe(0)
  })
})
