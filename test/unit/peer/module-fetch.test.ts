/**
 * How the Node SDK fetches a module named by a string: a file that exists is
 * read; a sample id is the server's samples/<id>.wasm; a relative URL is
 * resolved against the server; without a server, only files.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeModuleFetch } from '../../../src/peer/module-fetch.node.ts'

describe('nodeModuleFetch', () => {
  let dir: string
  let server: ReturnType<typeof createServer>
  let url: string
  const asked: string[] = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zerostate-module-fetch-'))
    await writeFile(join(dir, 'local.wasm'), new Uint8Array([0, 97, 115, 109]))
    server = createServer((request, response) => {
      asked.push(request.url ?? '')
      response.writeHead(request.url === '/samples/echo.wasm' || request.url === '/other/x.wasm' ? 200 : 404).end('served')
    })
    await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    server.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('reads a file by path or file: URL', async () => {
    const fetchModule = nodeModuleFetch(url)
    for (const ref of [join(dir, 'local.wasm'), pathToFileURL(join(dir, 'local.wasm')).href]) {
      const response = await fetchModule(ref)
      expect(response.ok).toBe(true)
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]))
    }
    expect((await fetchModule(pathToFileURL(join(dir, 'missing.wasm')).href)).status).toBe(404)
    expect(asked).toEqual([])
  })

  it('fetches a sample id and a relative URL from the server', async () => {
    const fetchModule = nodeModuleFetch(url)
    expect(await (await fetchModule('echo')).text()).toBe('served')
    expect(await (await fetchModule('samples/echo.wasm')).text()).toBe('served')
    expect(await (await fetchModule('other/x.wasm')).text()).toBe('served')
    expect((await fetchModule('nope')).status).toBe(404)
    expect(asked).toEqual(['/samples/echo.wasm', '/samples/echo.wasm', '/other/x.wasm', '/samples/nope.wasm'])
  })

  it('refuses what is neither a file nor reachable without a server, and an aborted call', async () => {
    await expect(nodeModuleFetch(undefined)('echo')).rejects.toThrow(RangeError)
    await expect(nodeModuleFetch(url)('echo', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
  })
})
