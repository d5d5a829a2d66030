/**
 * Warm start of Q-routing (Boyan & Littman, 1994) over
 * /zerostate/q-estimates/1.0.0: when two peers connect, each sends the other
 * its own best estimate per destination, and each seeds
 * Q(dest, sender) = estimate + measured link delay, never overwriting an
 * entry it has already learnt.
 *
 * @example
 * ```ts
 * const warmStart = createEstimateExchange({
 *   router,
 *   neighbours: () => [...new Set(node.getConnections().map((c) => c.remotePeer.toString()))]
 * })
 * await node.handle(Q_ESTIMATES_PROTOCOL, (stream, connection) => warmStart.handle(stream, connection), { runOnLimitedConnection: true })
 * // the dialling side, once a connection opens:
 * const seeded = await warmStart.exchange(connection)
 * ```
 */
export { createEstimateExchange, decodeEstimates, checkEstimates } from './estimate-exchange.ts'
export type { EstimateExchange, EstimateExchangeInit, EstimatesSeededEvent } from './estimate-exchange.ts'
export { Estimates } from './pb/estimates.ts'
export * from './errors.ts'
export * from './constants.ts'
export { estimateExchangeService } from './service.ts'
export type { EstimateExchangeService, EstimateExchangeServiceComponents, EstimateExchangeServiceInit } from './service.ts'
