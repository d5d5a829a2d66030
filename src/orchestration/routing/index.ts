/**
 * Routing of tasks through the mesh by Q-routing (Boyan & Littman, 1994): each
 * peer learns, per destination (capability class) and neighbour, how long a
 * task sent that way takes to complete, and sends work where it completes
 * fastest.
 *
 * @example
 * ```ts
 * const router = new QRouter({ random: Math.random, now: Date.now })
 * const via = router.choose('class:sha256', ['peerA', 'peerB'])
 * // when `via` reports its own estimate `t` after a transfer that took `s` ms:
 * router.update('class:sha256', via, s, t)
 * ```
 */
export { QRouter } from './q-router.ts'
export type { QRouterOptions, QTableJSON, QTableEntryJSON } from './q-router.ts'
export { StoredRouter } from './stored-router.ts'
export type { StoredRouterComponents, StoredRouterInit } from './stored-router.ts'
export * from './errors.ts'
export * from './constants.ts'
