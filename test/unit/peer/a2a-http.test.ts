/**
 * The A2A HTTP bridge driven by the official @a2a-js/sdk client (1.3.0,
 * which speaks A2A 1.0 JSON-RPC: SendMessage, SendStreamingMessage, GetTask,
 * CancelTask, SubscribeToTask, with the A2A-Version: 1.0 header): it finds
 * the endpoint through /.well-known/agent-card.json, and its requests are
 * answered by an A2AServer with a small in-process agent (the mesh side is
 * test/e2e/a2a.test.ts). Bad requests are sent by hand.
 */
import { SendMessageRequest, Task as SdkTask, StreamResponse as SdkStreamResponse } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'
import type { Client } from '@a2a-js/sdk/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { A2AServer, MAX_A2A_REQUEST_BYTES } from '../../../src/orchestration/a2a/index.ts'
import type { StreamResponse, Task } from '../../../src/orchestration/a2a/index.ts'
import { a2aAgentCard } from '../../../src/peer/a2a-agent.ts'
import { A2A_AGENT_CARD_PATH, startA2AHttpBridge } from '../../../src/peer/a2a-http.node.ts'
import type { A2AHttpBridge } from '../../../src/peer/a2a-http.node.ts'
import { textAgent } from '../orchestration/a2a/agents.ts'

const PEER_ID = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'

const request = (skill: string): ReturnType<typeof SendMessageRequest.fromJSON> => SendMessageRequest.fromJSON({
  message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text: 'hallo' }], metadata: { skill } }
})

describe('the A2A HTTP bridge with the official SDK client', () => {
  let bridge: A2AHttpBridge
  let server: A2AServer
  let client: Client

  beforeAll(async () => {
    server = new A2AServer({ agent: () => textAgent })
    bridge = await startA2AHttpBridge({
      server,
      card: jsonRpcUrl => a2aAgentCard({ name: 'test peer', description: 'a test', version: '0.1.0', jsonRpcUrl, peerId: PEER_ID, samples: [] })
    })
    client = await new ClientFactory().createFromUrl(bridge.url)
  })

  afterAll(async () => { await bridge.close() })

  it('serves the A2A 1.0 agent card with both bindings', async () => {
    const card = await (await fetch(`${bridge.url}${A2A_AGENT_CARD_PATH}`)).json() as { supportedInterfaces: unknown[], capabilities: unknown }
    expect(card.supportedInterfaces).toEqual([
      { url: bridge.endpoint, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: `/p2p/${PEER_ID}`, protocolBinding: 'ZEROSTATE-LIBP2P', protocolVersion: '1.0' }
    ])
    expect(card.capabilities).toEqual({ streaming: true, pushNotifications: false })
    expect(client.protocolVersion).toBe('1.0')
  })

  it('runs a message to its completed task (SendMessage), and reads it back (GetTask)', async () => {
    const result = await client.sendMessage(request('upper'))
    const task = SdkTask.toJSON(result as SdkTask) as Task
    expect(task.status.state).toBe('TASK_STATE_COMPLETED')
    expect(task.artifacts?.[0]?.parts[0]?.text).toBe('HALLO')
    const again = SdkTask.toJSON(await client.getTask({ tenant: '', id: task.id })) as Task
    expect(again.id).toBe(task.id)
    expect(server.tasks.get(task.id).status.state).toBe('TASK_STATE_COMPLETED')
  })

  it('streams a task over Server-Sent Events (SendStreamingMessage)', async () => {
    const events: StreamResponse[] = []
    for await (const event of client.sendMessageStream(request('upper'))) events.push(SdkStreamResponse.toJSON(event) as StreamResponse)
    expect(events.map(event => Object.keys(event)[0])).toEqual(['task', 'statusUpdate', 'artifactUpdate', 'statusUpdate'])
    expect(events.at(-1)).toMatchObject({ statusUpdate: { status: { state: 'TASK_STATE_COMPLETED' } } })
  })

  it('surfaces A2A errors as the SDK\'s own error classes', async () => {
    await expect(client.getTask({ tenant: '', id: 'no-such-task' })).rejects.toMatchObject({ name: 'TaskNotFoundError' })
    await expect(client.cancelTask({ tenant: '', id: 'no-such-task', metadata: undefined })).rejects.toMatchObject({ name: 'TaskNotFoundError' })
  })

  it('answers malformed requests with JSON-RPC errors', async () => {
    const post = async (body: string, headers: Record<string, string> = {}): Promise<{ status: number, json: { error?: { code: number } } }> => {
      const response = await fetch(bridge.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
      return { status: response.status, json: await response.json() as { error?: { code: number } } }
    }
    expect((await post('{oops')).json.error?.code).toBe(-32700)
    expect((await post(JSON.stringify({ jsonrpc: '2.0', id: 1 }))).json.error?.code).toBe(-32600)
    expect((await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'message/send', params: {} }))).json.error?.code).toBe(-32601)
    expect((await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: {} }), { 'A2A-Version': '0.3' })).json.error?.code).toBe(-32009)
    const tooLarge = await post('x'.repeat(MAX_A2A_REQUEST_BYTES + 1))
    expect(tooLarge.status).toBe(413)
    expect(tooLarge.json.error?.code).toBe(-32600)
    // Not from a web page, and only JSON: a page the operator visits cannot make this peer pay for tasks.
    expect(await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }), { origin: 'https://example.com' })).toMatchObject({ status: 403, json: { error: { code: -32600 } } })
    const plain = await fetch(bridge.endpoint, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })
    expect(plain.status).toBe(415)
    expect((await fetch(`${bridge.url}/elsewhere`)).status).toBe(404)
    expect((await fetch(bridge.endpoint)).status).toBe(405)
  })
})
