/**
 * OTLP/HTTP export (docs/tracing.md §8): off until a collector URL is given;
 * then the recorder's spans reach a real HTTP server as OTLP JSON, with the
 * peer's trace ids, span names and parents, under service.name zerostate;
 * a URL that cannot be a collector is refused by name; turning export off
 * sends nothing more.
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OtlpExport, TraceRecorder, checkCollectorUrl } from '../../../src/network/tracing/index.ts'

interface OtlpSpan { traceId: string, spanId: string, parentSpanId?: string, name: string }
interface OtlpBody { resourceSpans: Array<{ resource: { attributes: Array<{ key: string, value: { stringValue?: string } }> }, scopeSpans: Array<{ spans: OtlpSpan[] }> }> }

describe('OTLP/HTTP export of a peer\'s spans', () => {
  let server: Server
  let url: string
  const bodies: Array<{ path: string, type: string, body: OtlpBody }> = []

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', chunk => { chunks.push(chunk as Buffer) })
      request.on('end', () => {
        bodies.push({ path: request.url ?? '', type: request.headers['content-type'] ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody })
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`
  })

  afterAll(async () => {
    await new Promise(resolve => { server.close(resolve) })
  })

  it('sends nothing while off, then the spans of a trace as OTLP JSON once a collector is set', async () => {
    const otlp = new OtlpExport()
    const recorder = new TraceRecorder({ peer: '12D3KooWPeer', processors: [otlp] })
    recorder.end(recorder.start('before export'))
    await otlp.forceFlush()
    expect(bodies).toEqual([])

    await otlp.configure(url)
    expect(otlp.url).toBe(url)
    const task = recorder.start('task')
    await recorder.within('offer', task, async () => {})
    recorder.end(task)
    await otlp.forceFlush()
    expect(bodies).toHaveLength(1)
    const { path, type, body } = bodies[0]!
    expect(path).toBe('/v1/traces')
    expect(type).toMatch(/application\/json/)
    const attributes = Object.fromEntries(body.resourceSpans[0]!.resource.attributes.map(a => [a.key, a.value.stringValue]))
    expect(attributes).toMatchObject({ 'service.name': 'zerostate', 'service.instance.id': '12D3KooWPeer' })
    const spans = body.resourceSpans.flatMap(r => r.scopeSpans.flatMap(s => s.spans))
    const { traceId, parentId } = recorder.contextOf(task)
    expect(spans.map(span => span.name).sort()).toEqual(['offer', 'task'])
    expect(spans.every(span => span.traceId === traceId)).toBe(true)
    expect(spans.find(span => span.name === 'offer')?.parentSpanId).toBe(parentId)

    await otlp.configure(undefined)
    recorder.end(recorder.start('after export'))
    await otlp.forceFlush()
    expect(bodies).toHaveLength(1)
  })

  it('refuses a URL that cannot be a collector, by name', async () => {
    for (const bad of ['collector:4318', 'ftp://host/v1/traces', 'http://user:secret@host/v1/traces', `http://h/${'x'.repeat(2048)}`]) {
      expect(() => checkCollectorUrl(bad), bad).toThrow(expect.objectContaining({ name: 'InvalidCollectorUrlError' }))
    }
    await expect(new OtlpExport().configure('not a url')).rejects.toMatchObject({ name: 'InvalidCollectorUrlError' })
    expect(checkCollectorUrl('https://collector.example:4318/v1/traces')).toBe('https://collector.example:4318/v1/traces')
  })
})
