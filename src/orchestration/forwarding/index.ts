/**
 * Hop-by-hop forwarding of a task to an executor that is not a direct
 * neighbour, over /zerostate/forward/1.0.0: a ForwardHeader, then the
 * unchanged /zerostate/task/1.0.0 conversation between origin and target, so
 * the origin verifies the executor's receipt exactly as for a direct task.
 * Each hop picks the next by its Q-router and learns from the completion time.
 *
 * @example
 * ```ts
 * const forwarder = createForwarder({
 *   peerId: node.peerId, router, executor,
 *   connections: (peer) => node.getConnections(peerIdFromString(peer)),
 *   neighbours: () => node.getConnections().map((c) => c.remotePeer.toString())
 * })
 * await node.handle(FORWARD_PROTOCOL, (stream, connection) => forwarder.handle(stream, connection))
 * // origin:
 * const outcome = await forwardTask(connectionToNeighbour, { target, origin: node.peerId.toString() }, offer, module)
 * ```
 */
export { createForwarder, checkHeader } from './forwarder.ts'
export type { Forwarder, ForwarderComponents, ForwarderInit } from './forwarder.ts'
export { forwardTask } from './forward-task.ts'
export type { ForwardTaskHeader } from './forward-task.ts'
export { splice } from './splice.ts'
export * from './errors.ts'
export * from './constants.ts'
export { forwardingService } from './service.ts'
export type { ForwardingService, ForwardingServiceComponents, ForwardingServiceInit } from './service.ts'
