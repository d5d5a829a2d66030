/**
 * The optional planner in Chromium: the user configures an OpenAI-compatible
 * endpoint in the Workflows view (here a real HTTP server in the test process
 * answering as a chat model would, with CORS as local model servers send),
 * asks for a workflow in plain words, and gets a spec in the editor — after
 * the model mended a spec the parser refused — that runs only when the user
 * presses Run, on another tab.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, openSubmitterWithExecutors, startHarness } from './harness.ts'
import type { Harness } from './harness.ts'
import { showSection } from './sections.ts'

const GOOD = `version: 1
name: planned-detect
inputs:
  text: { type: text }
dag:
  tasks:
    - name: detect
      module: lang-detect
      stdin: "\${{ inputs.text }}"
      args: ["--top", "1"]
outputs:
  language: "\${{ steps.detect.stdout }}"
`
const BROKEN = GOOD.replace('module: lang-detect', 'modul: lang-detect')

interface Call { authorization: string | undefined, messages: Array<{ role: string, content: string }> }

describe('the planner in the Workflows view', () => {
  let harness: Harness
  let model: Server
  let endpoint = ''
  const calls: Call[] = []

  beforeAll(async () => {
    model = createServer((req: IncomingMessage, res) => {
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type, authorization', 'access-control-allow-methods': 'POST' }
      if (req.method === 'OPTIONS') { res.writeHead(204, cors).end(); return }
      let raw = ''
      req.on('data', chunk => { raw += String(chunk) })
      req.on('end', () => {
        const body = JSON.parse(raw) as { messages: Call['messages'] }
        calls.push({ authorization: req.headers.authorization, messages: body.messages })
        // The first answer names a field the spec does not have; the model mends it when told.
        const content = calls.length === 1 ? `\`\`\`yaml\n${BROKEN}\`\`\`` : `Here is the corrected spec:\n\`\`\`yaml\n${GOOD}\`\`\``
        res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }))
      })
    })
    await new Promise<void>(resolve => model.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`
    harness = await startHarness()
  }, 120_000)

  afterAll(async () => {
    await harness?.close()
    model?.closeAllConnections()
    await new Promise(resolve => model?.close(resolve))
  })

  it('configures the endpoint, plans from a request, shows the spec, and runs it only on Run', async () => {
    const { submitter: tab, executors: [worker] } = await openSubmitterWithExecutors(harness, 1)
    const page = tab.page
    await showSection(page, 'workflows')
    await page.locator('[data-testid="workflow-planner"] summary').click()
    await page.locator('[data-testid="planner-endpoint"]').fill(endpoint)
    await page.locator('[data-testid="planner-model"]').fill('tiny-local')
    await page.locator('[data-testid="planner-key"]').fill('sk-test')
    await page.locator('[data-testid="planner-save"]').click()
    await page.locator('[data-testid="planner-request"]').fill('detect the language of my text')
    await page.locator('[data-testid="planner-plan"]').click()
    await expect.poll(async () => page.locator('[data-testid="planner-done"]').textContent(), { timeout: 30_000 }).toMatch(/answer 2\): 1 steps/)

    expect(calls).toHaveLength(2)
    expect(calls[0]!.authorization).toBe('Bearer sk-test')
    expect(calls[0]!.messages[0]!.content).toContain('- lang-detect: ')
    expect(calls[0]!.messages.at(-1)).toEqual({ role: 'user', content: 'detect the language of my text' })
    expect(calls[1]!.messages.at(-1)!.content).toMatch(/does not parse[\s\S]*modul/)
    expect(await page.locator('[data-testid="workflow-spec"]').inputValue()).toBe(GOOD)
    await expect.poll(async () => page.locator('[data-testid="workflow-valid"]').count()).toBe(1)
    // Nothing ran: planning is not running.
    expect(await page.evaluate(async () => (await window.zerostate.workflows()).length)).toBe(0)
    await page.locator('section.workflows').screenshot({ path: join(ARTIFACTS, 'workflow-planned.png') })

    await page.locator('[data-testid="workflow-input-text"]').fill('Das ist ein deutscher Satz über das Wetter.')
    await page.locator('[data-testid="run-workflow"]').click()
    await expect.poll(async () => page.evaluate(async () => (await window.zerostate.workflows()).map(run => run.state)), { timeout: 60_000, interval: 250 }).toEqual(['completed'])
    const history = await page.evaluate(() => window.zerostate.history().map(record => record.receipt.executor))
    expect(history).toContain(worker!.peerId)
    // The settings stay in this browser (the key is never shown again), and can be forgotten.
    expect(await page.evaluate(() => localStorage.getItem('zerostate.planner'))).toContain('tiny-local')
    await page.locator('[data-testid="planner-forget"]').click()
    expect(await page.evaluate(() => localStorage.getItem('zerostate.planner'))).toBeNull()
  }, 180_000)
})
