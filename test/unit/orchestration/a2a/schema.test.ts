import { describe, expect, it } from 'vitest'
import {
  MAX_A2A_PARTS, base64ToBytes, bytesToBase64, readMessage, readSendMessageParams, readStreamResponse, readTask, readTaskIdParams
} from '../../../../src/orchestration/a2a/index.ts'

const message = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'Hallo Welt' }], metadata: { skill: 'lang-detect' }, ...extra })

describe('A2A schema checks', () => {
  it('reads a SendMessage request as the SDK sends it, copying only known members', () => {
    const params = readSendMessageParams({ message: message(), configuration: { returnImmediately: true, historyLength: 2 } })
    expect(params).toEqual({ message: message(), configuration: { returnImmediately: true, historyLength: 2 } })
    expect(readTaskIdParams({ id: 't1' })).toEqual({ id: 't1' })
  })

  it('refuses unknown members, missing ids, bad roles, empty or too many parts, and parts with two contents', () => {
    const bad: unknown[] = [
      { message: message({ kind: 'message' }) },
      { message: message({ messageId: '' }) },
      { message: message({ role: 'user' }) },
      { message: message({ parts: [] }) },
      { message: message({ parts: Array.from({ length: MAX_A2A_PARTS + 1 }, () => ({ text: 'x' })) }) },
      { message: message({ parts: [{ text: 'a', raw: 'YQ==' }] }) },
      { message: message({ parts: [{ raw: 'not base64!' }] }) },
      { message: message(), tenant: 'acme' },
      { message: message(), extra: 1 },
      null
    ]
    for (const params of bad) expect(() => readSendMessageParams(params)).toThrow(expect.objectContaining({ name: 'InvalidA2AParamsError', code: -32602 }))
    expect(() => readTaskIdParams({})).toThrow(expect.objectContaining({ code: -32602 }))
  })

  it('answers a push notification config with PushNotificationNotSupportedError', () => {
    expect(() => readSendMessageParams({ message: message(), configuration: { taskPushNotificationConfig: { url: 'http://x' } } }))
      .toThrow(expect.objectContaining({ name: 'PushNotificationNotSupportedError', code: -32003 }))
  })

  it('bounds a data part by its JSON size', () => {
    expect(readMessage(message({ parts: [{ data: { args: ['--top', '1'] } }] })).parts[0]).toEqual({ data: { args: ['--top', '1'] } })
    expect(() => readMessage(message({ parts: [{ data: { big: 'x'.repeat(70_000) } }] }))).toThrow(expect.objectContaining({ code: -32602 }))
  })

  it('checks an agent\'s answers with InvalidAgentResponseError', () => {
    const task = { id: 't', contextId: 'c', status: { state: 'TASK_STATE_COMPLETED' }, artifacts: [{ artifactId: 'stdout', parts: [{ text: 'x' }] }] }
    expect(readTask(task)).toEqual(task)
    expect(() => readTask({ ...task, status: { state: 'completed' } })).toThrow(expect.objectContaining({ name: 'InvalidAgentResponseError', code: -32006 }))
    expect(readStreamResponse({ statusUpdate: { taskId: 't', contextId: 'c', status: { state: 'TASK_STATE_WORKING' } } }))
      .toEqual({ statusUpdate: { taskId: 't', contextId: 'c', status: { state: 'TASK_STATE_WORKING' } } })
    expect(() => readStreamResponse({ task, message: message() })).toThrow(expect.objectContaining({ name: 'InvalidAgentResponseError' }))
  })

  it('round-trips bytes through padded standard base64, and reads URL-safe base64 too', () => {
    for (const length of [0, 1, 2, 3, 4, 255]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 251) & 0xff)
      const text = bytesToBase64(bytes)
      expect(text.length % 4).toBe(0)
      expect(base64ToBytes(text)).toEqual(bytes)
      expect(text).toBe(Buffer.from(bytes).toString('base64'))
    }
    expect(base64ToBytes('-_8')).toEqual(Uint8Array.from([0xfb, 0xff]))
  })
})
