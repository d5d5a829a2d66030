/** Shapes of state the views show, derived from protocol events and the routing table. */
import type { SubmitProgress } from '../orchestration/task-protocol/index.ts'
import type { QTableJSON } from '../orchestration/routing/index.ts'
import type { AgentCard } from '../discovery/index.ts'
import type { CardView, RoutingView, TaskView } from './types.ts'

export function taskPatch (progress: SubmitProgress): Partial<TaskView> {
  switch (progress.phase) {
    case 'offering': return { phase: 'offering' }
    case 'sending-module': return { phase: 'sending-module' }
    case 'queued': return { phase: 'running', elapsedMs: 0 }
    case 'running': return { phase: 'running', startedAt: progress.startedAt, elapsedMs: progress.elapsedMs }
    case 'verifying': return { phase: 'verifying' }
  }
}

/** A verified Agent Card as the network view shows it, with this tab's reputation of its peer. */
export function cardView (card: AgentCard, reputation: { score: number, blacklisted: boolean }): CardView {
  return {
    peerId: card.peerId,
    name: card.name,
    tags: [...new Set(card.skills.flatMap(skill => skill.tags))],
    workerSlots: card.workerSlots,
    memoryLimitBytes: card.memoryLimitBytes,
    fuelPerMs: card.benchmark.fuelPerMs,
    prices: { ...card.prices },
    warmModules: card.warmModules.length,
    visible: card.availability.visible,
    ...(card.availability.class === undefined ? {} : { availabilityClass: card.availability.class }),
    ...(card.availability.timerLagMs === undefined ? {} : { timerLagMs: card.availability.timerLagMs }),
    expiresAt: card.expiresAt,
    reputation: reputation.score,
    blacklisted: reputation.blacklisted,
    interfaces: (card.supportedInterfaces ?? []).map(entry => ({ ...entry }))
  }
}

/** The Q-table as a matrix for the heat map. */
export function routingView (table: QTableJSON): RoutingView {
  const destinations = [...new Set(table.entries.map(e => e.dest))].sort()
  const peers = [...new Set(table.entries.map(e => e.via))].sort()
  const values = destinations.map(dest => peers.map(via => table.entries.find(e => e.dest === dest && e.via === via)?.q ?? null))
  return { destinations, peers, values }
}

export { preview } from '../peer/preview.ts'
