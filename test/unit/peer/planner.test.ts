/**
 * The planner against a real HTTP server that speaks the Chat Completions
 * shape (what llama.cpp's server, vLLM or OpenAI answer): it records each
 * request and answers from a script, so the tests see exactly what the
 * planner sends and how it treats what comes back.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  InvalidPlanRequestError, PlannedSpecInvalidError, PlannerEndpointError, PlannerNotConfiguredError, completionsUrl, planWorkflow, stripFences
} from '../../../src/peer/planner.ts'

const GOOD_SPEC = `version: 1
name: detect-lines
inputs:
  text: { type: text }
dag:
  tasks:
    - name: detect
      module: lang-detect
      forEach: inputs.text.lines
      stdin: "\${{ item }}"
outputs:
  languages: "\${{ steps.detect.items }}"
`
const BAD_SPEC = GOOD_SPEC.replace('forEach', 'for_each')

interface Seen { url: string, headers: IncomingMessage['headers'], body: { model: string, messages: Array<{ role: string, content: string }>, temperature: number } }

let server: Server | undefined

async function chatServer (answers: Array<{ status?: number, body: unknown }>): Promise<{ url: string, seen: Seen[] }> {
  const seen: Seen[] = []
  server = createServer((req, res) => {
    let raw = ''
    req.on('data', chunk => { raw += String(chunk) })
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(raw) })
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' })
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body))
    })
  })
  await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen }
}

function completion (content: string): { body: unknown } {
  return { body: { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] } }
}

const MODULES = [{ ref: 'lang-detect', description: 'detects the language of a text' }, { ref: 'gzip', description: 'compresses stdin' }]

async function closeServer (): Promise<void> {
  const open = server
  server = undefined
  if (open === undefined) return
  open.closeAllConnections()
  await new Promise(resolve => open.close(resolve))
}

afterEach(closeServer)

describe('planWorkflow', () => {
  it('sends the request, the modules and the key, and returns the spec the model wrote', async () => {
    const { url, seen } = await chatServer([completion(`Here it is:\n\`\`\`yaml\n${GOOD_SPEC}\`\`\`\nEnjoy.`)])
    const plan = await planWorkflow('detect the language of each line', { endpoint: url, apiKey: 'sk-test', model: 'small' }, { modules: MODULES, examples: ['version: 1'] })
    expect(plan.attempts).toBe(1)
    expect(plan.specText).toBe(GOOD_SPEC)
    expect(plan.spec.dag.tasks.map(task => task.name)).toEqual(['detect'])
    expect(seen).toHaveLength(1)
    expect(seen[0]!.url).toBe('/v1/chat/completions')
    expect(seen[0]!.headers.authorization).toBe('Bearer sk-test')
    expect(seen[0]!.body.model).toBe('small')
    expect(seen[0]!.body.temperature).toBe(0)
    const [system, user] = seen[0]!.body.messages
    expect(system!.role).toBe('system')
    expect(system!.content).toContain('- lang-detect: detects the language of a text')
    expect(system!.content).toContain('Example 1:')
    expect(user).toEqual({ role: 'user', content: 'detect the language of each line' })
  })

  it('tells the model what does not parse and takes its mended spec', async () => {
    const { url, seen } = await chatServer([completion(BAD_SPEC), completion(GOOD_SPEC)])
    const plan = await planWorkflow('detect', { endpoint: `${url}/chat/completions`, model: 'm' }, { modules: MODULES })
    expect(plan.attempts).toBe(2)
    expect(seen[0]!.headers.authorization).toBeUndefined()
    const messages = seen[1]!.body.messages
    expect(messages.map(message => message.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(messages[2]!.content).toBe(BAD_SPEC)
    expect(messages[3]!.content).toMatch(/does not parse[\s\S]*for_each/)
  })

  it('gives up after maxAttempts with the last answer and its problems', async () => {
    const { url, seen } = await chatServer([completion(BAD_SPEC)])
    const failure = await planWorkflow('detect', { endpoint: url, model: 'm' }, { modules: MODULES, maxAttempts: 2 }).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(PlannedSpecInvalidError)
    expect((failure as PlannedSpecInvalidError).name).toBe('PlannedSpecInvalidError')
    expect((failure as PlannedSpecInvalidError).problems.length).toBeGreaterThan(0)
    expect((failure as PlannedSpecInvalidError).lastAnswer).toBe(BAD_SPEC)
    expect(seen).toHaveLength(2)
  })

  it('reports an HTTP error, a non-JSON answer and an answer without a message as endpoint errors', async () => {
    const unauthorized = await chatServer([{ status: 401, body: { error: { message: 'bad key' } } }])
    const failure = await planWorkflow('x', { endpoint: unauthorized.url, model: 'm' }, { modules: MODULES }).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(PlannerEndpointError)
    expect((failure as PlannerEndpointError).status).toBe(401)
    expect((failure as Error).message).toContain('bad key')
    await closeServer()

    const html = await chatServer([{ body: '<html>' }])
    await expect(planWorkflow('x', { endpoint: html.url, model: 'm' }, { modules: MODULES })).rejects.toThrow(/did not answer with JSON/)
    await closeServer()

    const empty = await chatServer([{ body: { choices: [] } }])
    await expect(planWorkflow('x', { endpoint: empty.url, model: 'm' }, { modules: MODULES })).rejects.toThrow(/without a message/)
  })

  it('refuses a missing configuration and a bad request before sending anything', async () => {
    await expect(planWorkflow('x', { endpoint: '', model: 'm' }, { modules: [] })).rejects.toBeInstanceOf(PlannerNotConfiguredError)
    await expect(planWorkflow('x', { endpoint: 'file:///etc/passwd', model: 'm' }, { modules: [] })).rejects.toBeInstanceOf(PlannerNotConfiguredError)
    await expect(planWorkflow('x', { endpoint: 'http://127.0.0.1:1/v1', model: ' ' }, { modules: [] })).rejects.toBeInstanceOf(PlannerNotConfiguredError)
    await expect(planWorkflow('   ', { endpoint: 'http://127.0.0.1:1/v1', model: 'm' }, { modules: [] })).rejects.toBeInstanceOf(InvalidPlanRequestError)
    await expect(planWorkflow('x'.repeat(4001), { endpoint: 'http://127.0.0.1:1/v1', model: 'm' }, { modules: [] })).rejects.toBeInstanceOf(InvalidPlanRequestError)
  })
})

describe('completionsUrl and stripFences', () => {
  it('appends /chat/completions to a base URL once', () => {
    expect(completionsUrl({ endpoint: 'https://api.example/v1/', model: 'm' }).href).toBe('https://api.example/v1/chat/completions')
    expect(completionsUrl({ endpoint: 'https://api.example/v1/chat/completions', model: 'm' }).href).toBe('https://api.example/v1/chat/completions')
  })

  it('takes the first fenced block, or the whole answer', () => {
    expect(stripFences('```json\n{"a":1}\n```')).toBe('{"a":1}\n')
    expect(stripFences('  version: 1  ')).toBe('version: 1\n')
  })
})
