/**
 * A2A 1.0 (a2a.proto, package lf.a2a.v1) in the mesh: its objects and their
 * strict checks, the task state machine, the tasks a peer serves, and the
 * libp2p binding /zerostate/a2a/1.0.0 — JSON-RPC 2.0 objects in
 * length-prefixed frames, the same methods and shapes the HTTP JSON-RPC
 * binding carries (docs/a2a-binding.md). What a message asks for is up to
 * the injected A2AAgent (the peer layer submits it into the mesh).
 *
 * @example
 * ```ts
 * const a2a = a2aService()({ registrar: node, agent: () => agent })
 * await a2a.start()
 * // another peer:
 * const task = await sendA2AMessage(connection, { message: { messageId: crypto.randomUUID(), role: 'ROLE_USER',
 *   parts: [{ text: 'Hallo Welt' }], metadata: { skill: 'lang-detect' } } })
 * task.status.state // 'TASK_STATE_COMPLETED'
 * ```
 */
export * from './constants.ts'
export * from './errors.ts'
export * from './types.ts'
export { bytesToBase64, base64ToBytes } from './base64.ts'
export { readArtifact, readMessage, readPart, readSendMessageParams, readStreamResponse, readTask, readTaskIdParams } from './schema.ts'
export { canTransition, isTerminal, transition } from './task-state.ts'
export { A2ATaskTable } from './task-table.ts'
export type { A2ATaskTableInit } from './task-table.ts'
export { A2AServer, errorResponse } from './server.ts'
export type { A2AAgent, A2AAnswer, A2AServerComponents, A2AServerInit, A2ATaskContext, A2ATaskOutcome, A2AWork } from './server.ts'
export { a2aService } from './service.ts'
export type { A2AService, A2AServiceComponents, A2AServiceInit } from './service.ts'
export { cancelA2ATask, getA2ATask, sendA2AMessage, streamA2AMessage, subscribeToA2ATask } from './client.ts'
