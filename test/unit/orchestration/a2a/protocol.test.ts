/**
 * /zerostate/a2a/1.0.0 between two real libp2p nodes in Node (websockets on
 * loopback, noise, yamux): SendMessage, GetTask, the stream of
 * SendStreamingMessage, SubscribeToTask with CancelTask, and errors coming
 * back as A2ARemoteError with A2A's codes.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  A2A_PROTOCOL, a2aService, cancelA2ATask, getA2ATask, sendA2AMessage, streamA2AMessage, subscribeToA2ATask
} from '../../../../src/orchestration/a2a/index.ts'
import type { A2AService, SendMessageParams, StreamResponse } from '../../../../src/orchestration/a2a/index.ts'
import { startTestNode } from '../../../support/libp2p-node.ts'
import { textAgent } from './agents.ts'

const params = (skill: string, extra: Partial<SendMessageParams> = {}): SendMessageParams => ({
  message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text: 'hallo welt' }], metadata: { skill } },
  ...extra
})

describe('A2A between two libp2p peers', () => {
  let agentNode: Libp2p
  let callerNode: Libp2p
  let service: A2AService
  let connection: Connection

  beforeAll(async () => {
    agentNode = await startTestNode({ listen: true })
    callerNode = await startTestNode({ listen: false })
    service = a2aService()({ registrar: agentNode, agent: () => textAgent })
    await service.start()
    await service.start()
    connection = await callerNode.dial(agentNode.getMultiaddrs()[0]!)
  })

  afterAll(async () => {
    await service.stop()
    await service.stop()
    await callerNode.stop()
    await agentNode.stop()
  })

  it('sends a message and gets the completed task back, then reads it again', async () => {
    const task = await sendA2AMessage(connection, params('upper'))
    expect(task.status.state).toBe('TASK_STATE_COMPLETED')
    expect(task.artifacts?.[0]?.parts[0]?.text).toBe('HALLO WELT')
    expect((await getA2ATask(connection, { id: task.id })).status.state).toBe('TASK_STATE_COMPLETED')
    expect(service.server.tasks.get(task.id).id).toBe(task.id)
  })

  it('streams the task\'s events to the end', async () => {
    const events: StreamResponse[] = []
    for await (const event of streamA2AMessage(connection, params('upper'))) events.push(event)
    expect(events[0]).toMatchObject({ task: { status: { state: 'TASK_STATE_SUBMITTED' } } })
    expect(events.map(event => Object.keys(event)[0])).toEqual(['task', 'statusUpdate', 'artifactUpdate', 'statusUpdate'])
    expect(events.at(-1)).toMatchObject({ statusUpdate: { status: { state: 'TASK_STATE_COMPLETED' } } })
  })

  it('cancels a running task while another stream is subscribed to it', async () => {
    const task = await sendA2AMessage(connection, params('wait', { configuration: { returnImmediately: true } }))
    expect(task.status.state).toBe('TASK_STATE_WORKING')
    const seen: StreamResponse[] = []
    const subscription = (async () => { for await (const event of subscribeToA2ATask(connection, { id: task.id })) seen.push(event) })()
    await expect.poll(() => seen.length).toBe(1)
    expect((await cancelA2ATask(connection, { id: task.id })).status.state).toBe('TASK_STATE_CANCELED')
    await subscription
    expect(seen.at(-1)).toMatchObject({ statusUpdate: { taskId: task.id, status: { state: 'TASK_STATE_CANCELED' } } })
    await expect(cancelA2ATask(connection, { id: task.id })).rejects.toMatchObject({ name: 'A2ARemoteError', code: -32002, remoteName: 'TaskNotCancelableError' })
  })

  it('answers errors with A2A codes, and an unparsable request with a parse error', async () => {
    await expect(getA2ATask(connection, { id: 'no-such-task' })).rejects.toMatchObject({ code: -32001, remoteName: 'TaskNotFoundError' })
    await expect(sendA2AMessage(connection, params('nope'))).rejects.toMatchObject({ code: -32602, remoteName: 'InvalidA2AParamsError' })
    const stream = await connection.newStream(A2A_PROTOCOL)
    const { lpStream } = await import('@libp2p/utils')
    const frames = lpStream(stream)
    await frames.write(new TextEncoder().encode('{not json'))
    const answer = JSON.parse(new TextDecoder().decode((await frames.read()).subarray())) as { error: { code: number } }
    expect(answer.error.code).toBe(-32700)
    await stream.close().catch(() => {})
  })

  it('is not spoken by a peer that has not started the service', async () => {
    const toCaller = await agentNode.dial(callerNode.peerId)
    await expect(sendA2AMessage(toCaller, params('upper'))).rejects.toMatchObject({ name: 'UnsupportedProtocolError' })
  })

  it('refuses a request frame over the limit without reading it', async () => {
    const stream = await connection.newStream(A2A_PROTOCOL)
    const { lpStream } = await import('@libp2p/utils')
    const frames = lpStream(stream)
    // A length prefix of 9 MiB: the agent aborts the stream from the prefix alone.
    await frames.write(new Uint8Array(9 * 1024 * 1024)).catch(() => {})
    await expect(frames.read({ signal: AbortSignal.timeout(5000) })).rejects.toThrow()
  })
})
