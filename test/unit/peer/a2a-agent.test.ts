import { describe, expect, it } from 'vitest'
import { bytesToBase64 } from '../../../src/orchestration/a2a/index.ts'
import type { Message } from '../../../src/orchestration/a2a/index.ts'
import { a2aOutcome, a2aTaskRequest } from '../../../src/peer/a2a-agent.ts'
import type { ResolvedAgentModule } from '../../../src/peer/context.ts'
import { parseReceipt, receiptHash, verifyReceipt } from '../../../src/receipts/index.ts'
import { signedExample } from '../receipts/fixtures.ts'

const sampleIds = new Set(['lang-detect', 'echo'])
/** A message to the lang-detect skill; `null` for one whose metadata names no skill. */
const message = (parts: Message['parts'], metadata: Record<string, unknown> | null = { skill: 'lang-detect' }): Message =>
  ({ messageId: 'm', role: 'ROLE_USER', parts, ...(metadata === null ? {} : { metadata }) })

describe('an A2A message as a mesh task', () => {
  it('maps a text part to stdin, named parts to files in /work, and the data part to args, env and limits', async () => {
    const request = await a2aTaskRequest(message([
      { text: 'Hallo Welt' },
      { raw: bytesToBase64(Uint8Array.from([1, 2, 3])), filename: 'in/data.bin' },
      { text: 'a,b\n', filename: 'table.csv' },
      { data: { args: ['--top', '1'], env: { LANG: 'C' }, timeoutMs: 5000, fuel: 1000, maxTotalPrice: 0, witnesses: false } }
    ]), { sampleIds })
    expect(request).toEqual({
      module: 'samples/lang-detect.wasm',
      label: 'lang-detect',
      stdin: 'Hallo Welt',
      files: [['in/data.bin', Uint8Array.from([1, 2, 3])], ['table.csv', 'a,b\n']],
      args: ['--top', '1'],
      env: { LANG: 'C' },
      timeoutMs: 5000,
      fuel: 1000,
      maxTotalPrice: 0,
      witnesses: false
    })
    // The skill may be named in the data part instead; bytes without a filename are stdin.
    expect(await a2aTaskRequest(message([{ raw: bytesToBase64(Uint8Array.from([9])) }, { data: { skill: 'echo' } }], null), { sampleIds }))
      .toEqual({ module: 'samples/echo.wasm', label: 'echo', stdin: Uint8Array.from([9]) })
  })

  it('resolves a published agent ref through the peer\'s registry', async () => {
    const module = Uint8Array.from([0, 97, 115, 109])
    const agents = { resolveModule: async (ref: string): Promise<ResolvedAgentModule> => ({ manifest: { name: ref } as unknown as ResolvedAgentModule['manifest'], hash: 'h', module: new Uint8Array(module) }) }
    expect((await a2aTaskRequest(message([{ text: 'x' }], { skill: 'summarize@^1.0' }), { sampleIds, ctx: { agents } })).module).toEqual(module)
    await expect(a2aTaskRequest(message([{ text: 'x' }], { skill: 'summarize@^1.0' }), { sampleIds }))
      .rejects.toMatchObject({ name: 'UnsupportedOperationError', code: -32004 })
    const failing = { resolveModule: async (): Promise<ResolvedAgentModule> => { throw Object.assign(new Error('none'), { name: 'AgentNotFoundError' }) } }
    await expect(a2aTaskRequest(message([{ text: 'x' }], { skill: 'nobody@1' }), { sampleIds, ctx: { agents: failing } }))
      .rejects.toMatchObject({ code: -32602, message: expect.stringContaining('AgentNotFoundError') })
  })

  it('refuses what cannot become a task, with A2A error codes', async () => {
    const cases: Array<[Message, number]> = [
      [message([{ text: 'x' }], null), -32602],
      [message([{ text: 'x' }], { skill: 'no-such-sample' }), -32602],
      [message([{ text: 'x' }], { skill: 7 }), -32602],
      [message([{ text: 'a' }, { text: 'b' }]), -32602],
      [message([{ text: 'a', filename: 'f' }, { text: 'b', filename: 'f' }]), -32602],
      [message([{ data: {} }, { data: {} }]), -32602],
      [message([{ data: [1] }]), -32602],
      [message([{ data: { args: 'one' } }]), -32602],
      [message([{ data: { timeoutMs: 1 } }]), -32602],
      [message([{ data: { env: { A: 1 } } }]), -32602],
      [message([{ data: { unknown: 1 } }]), -32602],
      [message([{ data: { skill: 'echo' } }]), -32602],
      [message([{ url: 'https://example.com/x.txt' }]), -32005]
    ]
    for (const [given, code] of cases) await expect(a2aTaskRequest(given, { sampleIds })).rejects.toMatchObject({ code })
  })
})

describe('a task\'s result as A2A artifacts', () => {
  it('completes with stdout, stderr, files and the receipt exactly as docs/receipt-format.md has it', async () => {
    const receipt = await signedExample()
    const encode = (text: string): Uint8Array => new TextEncoder().encode(text)
    const outcome = a2aOutcome({ stdout: encode('{"language":"deu"}\n'), stderr: encode('note'), files: [['out/a.bin', Uint8Array.from([0xff, 0xfe])]], exitCode: 0, receipt })
    expect(outcome.state).toBe('TASK_STATE_COMPLETED')
    expect(outcome.artifacts.map(artifact => artifact.artifactId)).toEqual(['stdout', 'stderr', 'files', 'receipt'])
    expect(outcome.artifacts[0]?.parts).toEqual([{ text: '{"language":"deu"}\n', mediaType: 'text/plain' }])
    // Bytes that are not UTF-8 travel as base64.
    expect(outcome.artifacts[2]?.parts).toEqual([{ raw: '//4=', mediaType: 'application/octet-stream', filename: 'out/a.bin' }])
    const data = outcome.artifacts[3]?.parts[0]?.data
    // The data part, as a client would save it, is a receipt that verifies.
    const saved = parseReceipt(JSON.parse(JSON.stringify(data)))
    await verifyReceipt(saved)
    expect(receiptHash(saved)).toBe(receiptHash(receipt))
    expect(outcome.metadata).toEqual({ executor: receipt.executor, status: 'ok', exitCode: 0, receiptHash: receiptHash(receipt) })
  })

  it('fails on a non-zero exit, with the receipt still attached', async () => {
    const receipt = await signedExample()
    const outcome = a2aOutcome({ stdout: new Uint8Array(), stderr: new Uint8Array(), files: [], exitCode: 2, receipt })
    expect(outcome).toMatchObject({ state: 'TASK_STATE_FAILED', statusText: 'the task exited with code 2' })
    expect(outcome.artifacts.map(artifact => artifact.artifactId)).toEqual(['stdout', 'receipt'])
  })
})
