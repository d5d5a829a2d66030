/** /zerostate/module/1.0.0 between two real libp2p nodes: content-addressed, so a lying server is caught. */
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../../src/core/index.ts'
import { MODULE_FETCH_PROTOCOL, fetchModule, serveModule } from '../../../../src/trust/witness/module-fetch/index.ts'
import { startTestNode } from '../../../support/libp2p-node.ts'
import { rejection } from '../../../support/rejection.ts'

describe('module fetch', () => {
  let server: Libp2p
  let client: Libp2p
  const module = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff)
  const hash = sha256Hex(module)
  const wrong = sha256Hex(new Uint8Array([7]))
  let lie = false

  beforeAll(async () => {
    server = await startTestNode({ listen: true })
    client = await startTestNode({ listen: false })
    await server.handle(MODULE_FETCH_PROTOCOL, async stream => serveModule(stream, async asked => {
      if (lie) return new Uint8Array([1, 2, 3])
      return asked === hash ? module : undefined
    }))
  })

  afterAll(async () => {
    await client?.stop()
    await server?.stop()
  })

  const connection = async (): Promise<import('@libp2p/interface').Connection> => client.dial(server.getMultiaddrs()[0]!)

  it('returns the module for its hash', async () => {
    expect(await fetchModule(await connection(), hash)).toEqual(module)
  })

  it('says so when the peer lacks it, and refuses bytes that are not the asked module', async () => {
    expect((await rejection(fetchModule(await connection(), wrong))).name).toBe('ModuleNotFoundError')
    lie = true
    expect((await rejection(fetchModule(await connection(), hash))).name).toBe('ModuleHashMismatchError')
    lie = false
  })
})
