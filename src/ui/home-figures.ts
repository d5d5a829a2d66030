/**
 * The home dashboard's figures, derived from the app's state. Pure: no DOM,
 * and "now" is an argument, so "today" is testable
 * (test/unit/ui/home-figures.test.ts).
 */
import type { AppState, ChannelRecord, MetricsView, PaymentRecord, PeerView, ReceiptRecord } from '../app/index.ts'

/** Local midnight of the day `now` falls in, epoch ms (the user's "today" starts there, in their time zone). */
export function startOfLocalDay (now: number): number {
  const day = new Date(now)
  day.setHours(0, 0, 0, 0)
  return day.getTime()
}

export interface ServedCount {
  count: number
  /**
   * True when the history the page holds may have cut off earlier records of
   * the same day (it keeps only the newest `held`, and all of them are from
   * today): the count is then a lower bound ("50+").
   */
  atLeast: boolean
}

/**
 * Tasks this tab ran for others since `since` (epoch ms): its receipt history's
 * records in the executor role, stored at or after it. `history` is newest
 * first, as the app keeps it; `held` is how many records the app keeps.
 */
export function tasksServedSince (history: readonly ReceiptRecord[], since: number, held: number): ServedCount {
  let count = 0
  for (const record of history) {
    if (record.storedAt >= since && record.role === 'executor') count++
  }
  const oldest = history.at(-1)
  const atLeast = history.length >= held && oldest !== undefined && oldest.storedAt >= since
  return { count, atLeast }
}

export interface ChannelTotals {
  /** Micro-units paid to this tab, net of refunds it gave, on the channels it is paid on (side b). */
  earned: number
  /** Micro-units this tab paid, net of refunds it got back, on the channels it pays into (side a). */
  spent: number
}

/**
 * What this tab earned and spent over all its channels, from each channel's
 * newest co-signed state: exact however many payments it took (the payment
 * list the page holds is cut to the newest few hundred).
 */
export function channelTotals (channels: readonly ChannelRecord[]): ChannelTotals {
  let earned = 0
  let spent = 0
  for (const channel of channels) {
    const s = channel.latest.state
    if (channel.side === 'b') earned += s.balanceB - s.depositB
    else spent += s.depositA - s.balanceA
  }
  return { earned, spent }
}

/** Micro-units paid to this tab since `since` (payments and shares received, less refunds it gave). */
export function earnedSince (payments: readonly PaymentRecord[], since: number): number {
  let total = 0
  for (const p of payments) {
    if (p.at < since) continue
    if ((p.kind === 'payment' || p.kind === 'share') && p.direction === 'in') total += p.amount
    else if (p.kind === 'refund' && p.direction === 'out') total -= p.amount
  }
  return total
}

export interface MeshFigures {
  /** Peers this tab is connected to, relays left out. */
  peers: number
  /** Of those, over a direct WebRTC connection. */
  direct: number
  /** Peers whose valid Agent Card says they run tasks for others. */
  contributing: number
}

export function meshFigures (peers: readonly PeerView[], cards: AppState['cards']): MeshFigures {
  const others = peers.filter(peer => !peer.isRelay)
  return {
    peers: others.length,
    direct: others.filter(peer => peer.transports.includes('webrtc')).length,
    contributing: cards.length
  }
}

export interface CpuShare {
  /** Worker slots offered to the mesh now (0 while not contributing). */
  contributed: number
  /** Slots the machine has (navigator.hardwareConcurrency). */
  machine: number
  /** Slots running a task at the last metrics sample, or null before the first. */
  busy: number | null
}

/** The last value of a metrics chart's series, or null when it has none yet. */
export function lastValue (view: MetricsView | undefined, chartId: string, label: string): number | null {
  const values = view?.charts.find(chart => chart.id === chartId)?.series.find(series => series.label === label)?.values ?? []
  for (let i = values.length - 1; i >= 0; i--) {
    const value = values[i]
    if (value !== null && value !== undefined) return value
  }
  return null
}

export function cpuShare (state: Pick<AppState, 'contributing' | 'slots' | 'maxSlots' | 'metrics'>): CpuShare {
  return {
    contributed: state.contributing ? state.slots : 0,
    machine: state.maxSlots,
    busy: state.contributing ? lastValue(state.metrics, 'workers', 'busy') : null
  }
}

/** Only the throughput chart (tasks per second, submitted and run here) of the Metrics view, for the dashboard. */
export function throughputView (view: MetricsView | undefined): MetricsView | undefined {
  if (view === undefined) return undefined
  return { ...view, charts: view.charts.filter(chart => chart.id === 'tasks') }
}
