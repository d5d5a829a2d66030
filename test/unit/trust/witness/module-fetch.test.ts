/** /zerostate/module/1.0.0 between two real libp2p nodes: content-addressed, so a lying server is caught. */
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../../src/core/index.ts'
import { MODULE_FETCH_PROTOCOL, ModuleNotFoundError, fetchModule, moduleServer, serveModule } from '../../../../src/network/module-fetch/index.ts'
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

describe('module server: serves only what this peer made public', () => {
  it('answers "not held" for a module it holds but never shared, and serves a shared one', async () => {
    const server = await startTestNode({ listen: true })
    const client = await startTestNode({ listen: false })
    try {
      const shared = new TextEncoder().encode('an announced module')
      const secret = new TextEncoder().encode('a module run with witnesses: false')
      const [sharedHash, secretHash] = [sha256Hex(shared), sha256Hex(secret)]
      const held = new Map([[sharedHash, shared], [secretHash, secret]])
      const modules = moduleServer({ shares: hash => hash === sharedHash })({
        registrar: server,
        store: { getModule: async hash => held.get(hash) }
      })
      await modules.start()
      await modules.start()
      const connection = await client.dial(server.getMultiaddrs()[0]!)
      expect(await fetchModule(connection, sharedHash)).toEqual(shared)
      expect((await rejection(fetchModule(connection, secretHash))).name).toBe(ModuleNotFoundError.name)
      await modules.stop()
      await modules.stop()
    } finally {
      await client.stop()
      await server.stop()
    }
  })
})
