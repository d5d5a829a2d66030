/** Shapes of state the views show, derived from protocol events and the routing table. */
import type { SubmitProgress } from '../orchestration/task-protocol/index.ts'
import type { QTableJSON } from '../orchestration/routing/index.ts'
import type { RoutingView, TaskView } from './types.ts'

const STDOUT_PREVIEW_CHARS = 200

export function taskPatch (progress: SubmitProgress): Partial<TaskView> {
  switch (progress.phase) {
    case 'offering': return { phase: 'offering' }
    case 'sending-module': return { phase: 'sending-module' }
    case 'queued': return { phase: 'running', elapsedMs: 0 }
    case 'running': return { phase: 'running', startedAt: progress.startedAt, elapsedMs: progress.elapsedMs }
    case 'verifying': return { phase: 'verifying' }
  }
}

/** The Q-table as a matrix for the heat map. */
export function routingView (table: QTableJSON): RoutingView {
  const destinations = [...new Set(table.entries.map(e => e.dest))].sort()
  const peers = [...new Set(table.entries.map(e => e.via))].sort()
  const values = destinations.map(dest => peers.map(via => table.entries.find(e => e.dest === dest && e.via === via)?.q ?? null))
  return { destinations, peers, values }
}

export function preview (stdout: Uint8Array): string {
  // Lossy on purpose: the preview is for people; the receipt hashes the bytes.
  return new TextDecoder().decode(stdout.subarray(0, STDOUT_PREVIEW_CHARS * 4)).slice(0, STDOUT_PREVIEW_CHARS)
}
