/**
 * The app server under requests an attacker would send: a malformed path is a
 * 400 and never ends the process (which also runs the relays); path traversal
 * stays a 403; the server keeps serving after each.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestPath, startAppServer } from '../../../src/server/http-server.ts'
import type { AppServer } from '../../../src/server/http-server.ts'

/** One raw GET of `target` (sent as written, without normalisation); resolves with the status code. */
async function get (url: string, target: string): Promise<number> {
  return (await getWithHeaders(url, target)).status
}

async function getWithHeaders (url: string, target: string): Promise<{ status: number, headers: IncomingHttpHeaders }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target, method: 'GET' }, res => {
      res.resume()
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers }) })
    })
    req.on('error', reject)
    req.setTimeout(5000, () => { req.destroy(new Error(`no answer to ${target}`)) })
    req.end()
  })
}

describe('app server', () => {
  let root: string
  let app: AppServer

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'zerostate-http-'))
    await writeFile(join(root, 'index.html'), '<!doctype html><title>t</title>')
    await mkdir(join(root, 'assets'))
    await writeFile(join(root, 'assets', 'wasi-worker-abc.js'), 'onmessage = () => {}')
    app = await startAppServer({ root, host: '127.0.0.1', port: 0, relayAddrs: () => ['/ip4/127.0.0.1/tcp/1/ws'] })
  })

  afterAll(async () => {
    await app?.stop()
    await rm(root, { recursive: true, force: true })
  })

  for (const target of ['/%', '/%zz', '/%ff', '/%E0%A4%A', '/samples/%c0%af', '/a%00b']) {
    it(`answers ${target} with 400 and keeps serving`, async () => {
      expect(await get(app.url, target)).toBe(400)
      expect(await get(app.url, '/config.json')).toBe(200)
    })
  }

  it('still refuses traversal and serves the app for unknown routes', async () => {
    expect(await get(app.url, '/..%2f..%2f..%2fetc%2fpasswd')).toBe(403)
    expect(await get(app.url, '/some/route')).toBe(200)
    expect(await get(app.url, '/missing.js')).toBe(404)
  })

  // The page must be cross-origin isolated for SharedArrayBuffer (the sandbox pool's memory cell):
  // COOP and COEP on the document, COEP on its workers' scripts too.
  for (const target of ['/', '/some/route', '/assets/wasi-worker-abc.js']) {
    it(`sends the cross-origin isolation headers with ${target}`, async () => {
      const { status, headers } = await getWithHeaders(app.url, target)
      expect(status).toBe(200)
      expect(headers['cross-origin-opener-policy']).toBe('same-origin')
      expect(headers['cross-origin-embedder-policy']).toBe('require-corp')
      expect(headers['cross-origin-resource-policy']).toBe('same-origin')
    })
  }

  it('requestPath decodes good paths and refuses malformed ones', () => {
    expect(requestPath('/samples/a%20b.wasm')).toBe('/samples/a b.wasm')
    expect(requestPath('/%')).toBeUndefined()
    expect(requestPath('/%ff')).toBeUndefined()
  })
})
