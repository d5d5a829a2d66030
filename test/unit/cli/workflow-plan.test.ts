/**
 * `zerostate workflow plan` against one real HTTP server that is both the app
 * server (samples/samples.json) and an OpenAI-compatible chat endpoint: the
 * samples reach the model's prompt, the key comes from the environment only,
 * the spec is printed or written, and nothing joins the mesh.
 */
import { EventEmitter } from 'node:events'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { meshCommand } from '../../../src/cli/mesh-commands.ts'
import type { MeshCliIo } from '../../../src/cli/mesh-session.ts'

const SPEC = `version: 1
name: detect-then-zip
inputs:
  text: { type: text }
dag:
  tasks:
    - name: detect
      module: lang-detect
      stdin: "\${{ inputs.text }}"
    - name: zip
      module: gzip
      depends: detect.Succeeded
      stdin: "\${{ steps.detect.stdout }}"
`

let server: Server
let base = ''
let dir = ''
const prompts: string[] = []
const keys: Array<string | undefined> = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zs-plan-'))
  server = createServer((req, res) => {
    if (req.url === '/samples/samples.json') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify([
        { id: 'lang-detect', title: 'Language detection', description: 'Prints the language of its stdin.', stdinKind: 'text' },
        { id: 'gzip', title: 'gzip', description: 'Compresses stdin.', stdinKind: 'text' }
      ]))
      return
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end()
      return
    }
    let raw = ''
    req.on('data', chunk => { raw += String(chunk) })
    req.on('end', () => {
      const body = JSON.parse(raw) as { messages: Array<{ content: string }> }
      prompts.push(body.messages[0]!.content)
      keys.push(req.headers.authorization)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `\`\`\`yaml\n${SPEC}\`\`\`` } }] }))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
  await rm(dir, { recursive: true, force: true })
})

async function plan (argv: string[], env: Record<string, string> = {}): Promise<{ code: number, stdout: string, stderr: string, connects: number }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  let connects = 0
  stdout.on('data', chunk => { out += String(chunk) })
  stderr.on('data', chunk => { err += String(chunk) })
  const io: MeshCliIo = {
    stdout,
    stderr,
    stdin: Object.assign(Readable.from([]), { isTTY: true }),
    env,
    signals: new EventEmitter(),
    connect: async () => { connects++; throw new Error('plan must not join the mesh') },
    exit: code => { throw new Error(`exit ${code}`) },
    now: () => Date.now()
  }
  const code = await meshCommand(['workflow', 'plan', ...argv], io)
  return { code, stdout: out, stderr: err, connects }
}

describe('zerostate workflow plan', () => {
  it('prints the spec and its steps in order, with the server\'s samples in the prompt and the key from the environment', async () => {
    const result = await plan(['detect the language then compress it', '--server', base], {
      ZEROSTATE_PLANNER_URL: `${base}/v1`, ZEROSTATE_PLANNER_MODEL: 'local', ZEROSTATE_PLANNER_KEY: 'sk-env'
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.connects).toBe(0)
    expect(result.stdout).toContain('name: detect-then-zip')
    expect(result.stdout).toMatch(/Steps \(first answer\):\n {2}detect\n {2}zip ← detect\n/)
    expect(prompts.at(-1)).toContain('- lang-detect: Language detection. Prints the language of its stdin. (stdin: text)')
    expect(keys.at(-1)).toBe('Bearer sk-env')
  })

  it('writes the spec with --out and prints JSON with --json', async () => {
    const out = join(dir, 'plan.yaml')
    const result = await plan(['x', '--server', base, '--endpoint', `${base}/v1`, '--model', 'local', '--out', out, '--json'])
    expect(result.code).toBe(0)
    expect(await readFile(out, 'utf8')).toBe(SPEC)
    expect(JSON.parse(result.stdout)).toEqual({ spec: SPEC, order: ['detect', 'zip'], dependencies: { detect: [], zip: ['detect'] }, attempts: 1 })
    expect(keys.at(-1)).toBeUndefined()
  })

  it('exits 2 without a configured planner, 1 when the server has no samples', async () => {
    const unconfigured = await plan(['x', '--server', base])
    expect(unconfigured.code).toBe(2)
    expect(unconfigured.stderr).toMatch(/no planner configured/)
    const noSamples = await plan(['x', '--server', `${base}/nowhere/`, '--endpoint', `${base}/v1`, '--model', 'm'])
    expect(noSamples.code).toBe(1)
    expect(noSamples.stderr).toMatch(/could not read the samples/)
  })
})
