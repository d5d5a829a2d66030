/**
 * A TaskDispatch for tests between real libp2p nodes: the executors it may
 * choose and the connection to each are given; no Agent Cards (one slot each
 * is assumed), a neutral router, no reputation, and payments that do nothing.
 */
import type { Connection } from '@libp2p/interface'
import type { PeerIdentity } from '../../src/crypto/identity.ts'
import { TaskDispatch } from '../../src/orchestration/dispatch/index.ts'
import type { TaskDispatchComponents, TaskDispatchInit } from '../../src/orchestration/dispatch/index.ts'
import { QRouter } from '../../src/orchestration/routing/index.ts'

/**
 * `directConnectionTo`, when given, is the mesh's way to a direct connection
 * (PeerMesh.directConnectionTo: the upgrade's); `neighbours`, where a task
 * whose executor's connectionTo throws ConnectionBudgetError is forwarded;
 * `spareStreams: false` for a test that counts the executor's task streams as
 * the offers it was sent (a stream opened ahead is one more).
 */
export function testDispatch (
  identity: PeerIdentity, executors: readonly string[], connectionTo: (peerId: string) => Promise<Connection>,
  directConnectionTo?: (peerId: string) => Promise<Connection | undefined>, options: { neighbours?: readonly string[] } & TaskDispatchInit = {}
): TaskDispatch {
  return new TaskDispatch({
    identity,
    mesh: {
      executors: () => [...executors],
      neighbours: () => [...options.neighbours ?? []],
      connectionTo: async peerId => connectionTo(peerId),
      ...(directConnectionTo === undefined ? {} : { directConnectionTo: async (peerId: string) => directConnectionTo(peerId) })
    },
    cards: { cards: new Map(), index: undefined } as unknown as TaskDispatchComponents['cards'],
    router: { router: new QRouter({ random: () => 0.5, now: Date.now }), record: () => {} },
    // A book that knows nobody: every executor neutral, none blacklisted.
    reputation: { book: { score: () => 0.5, isBlacklisted: () => false, isWhitelisted: () => false }, record: () => {} } as unknown as TaskDispatchComponents['reputation'],
    accountability: { pay: async () => {}, provenWrong: async () => {} }
  }, options.spareStreams === undefined ? {} : { spareStreams: options.spareStreams })
}
