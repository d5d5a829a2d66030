/**
 * The pure parts of the mesh commands (`submit`, `job`, `workflow`, `peers`,
 * `ledger`): their exit codes, the checks of their arguments, and how what
 * the SDK returns is shown — a line of text, a table's rows, a JSON value.
 * No I/O here: the commands read files, talk to the mesh and write; these
 * only decide what to write (test/unit/cli/cli-output.test.ts).
 */
import Table from 'cli-table3'
import { nameError } from '../core/errors.ts'
import type { AgentCard } from '../discovery/index.ts'
import type { PeerInfo } from '../network/transports.ts'
import type { JobItemResult } from '../orchestration/jobs/index.ts'
import type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
import type { Binding, RunEvent, RunStatus } from '../orchestration/workflow/scheduler/index.ts'
import type { LedgerView } from '../peer/types.ts'

/** Exit codes, as the conventions have them: 0 done, 1 failed (the mesh, a task, a check), 2 bad arguments, 128 + the signal when interrupted. */
export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2
export const EXIT_SIGINT = 130
export const EXIT_SIGTERM = 143

/** Thrown when the command line cannot be used (exit 2); the message says why. */
export class UsageError extends Error {
  static { nameError(this, 'UsageError') }
}

/** A whole number from `min` to `max`, or a UsageError naming the option. */
export function parseCount (option: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${option} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}, got "${value}"`)
  }
  return n
}

/** `NAME=VALUE` split at its first `=`; the name must not be empty. */
export function parsePair (option: string, spec: string): [string, string] {
  const at = spec.indexOf('=')
  if (at <= 0) throw new UsageError(`${option} ${spec}: expected NAME=VALUE`)
  return [spec.slice(0, at), spec.slice(at + 1)]
}

/** A workflow input as given on the command line: `name=value`, or `name=@path` (a file; a directory for a files input). */
export type InputSpec = { name: string, value: string } | { name: string, path: string }

export function parseInputSpec (spec: string): InputSpec {
  const [name, value] = parsePair('--input', spec)
  if (value.startsWith('@')) {
    if (value.length === 1) throw new UsageError(`--input ${spec}: "@" needs a path after it`)
    return { name, path: value.slice(1) }
  }
  return { name, value }
}

/** The inputs of a text: its non-empty lines (a CRLF's CR dropped), as a job takes them. */
export function inputLines (text: string): string[] {
  return text.split('\n').map(line => line.endsWith('\r') ? line.slice(0, -1) : line).filter(line => line !== '')
}

/** How an error is told: its name and message (what callers compare is the name). */
export function errorLine (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  if (err.name === 'StoreLockedError') {
    return `${err.name}: ${err.message}. One process per state directory: give this command another --dir (or ZEROSTATE_HOME) than a running \`zerostate contribute\` or other zerostate command uses`
  }
  return `${err.name}: ${err.message}`
}

/**
 * Whether to colour: a terminal, and no NO_COLOR (https://no-color.org:
 * present and not empty) nor TERM=dumb.
 */
export function useColor (env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  return isTTY && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb'
}

/** A duration for people: 850 ms, 12.3 s, 2m05s, 1h02m. */
export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
}

/** Inputs a second so far. */
export function ratePerSecond (done: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : done / (elapsedMs / 1000)
}

/** When the rest will be done at the rate so far, in ms; undefined before anything is done. */
export function etaMs (done: number, total: number, elapsedMs: number): number | undefined {
  if (done <= 0 || elapsedMs <= 0) return undefined
  return Math.max(0, (total - done) * elapsedMs / done)
}

/** The job's progress as one line (the bar's text on a terminal, the last line elsewhere). */
export function jobProgressLine (done: number, total: number, elapsedMs: number, failed = 0): string {
  const eta = etaMs(done, total, elapsedMs)
  return `${done}/${total} inputs${failed === 0 ? '' : `, ${failed} failed`}, ${ratePerSecond(done, elapsedMs).toFixed(1)}/s, ${done >= total ? `took ${formatDuration(elapsedMs)}` : `ETA ${eta === undefined ? '?' : formatDuration(eta)}`}`
}

/** One JSON Line of a job's result (`--json`): the input's index, its output or error, who ran it, the task that covers it. */
export function jobResultJson (result: JobItemResult): string {
  return JSON.stringify({
    index: result.index,
    ...(result.error === undefined ? { output: result.output ?? '' } : { error: result.error }),
    ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
    ...(result.executor === undefined ? {} : { executor: result.executor }),
    ...(result.taskId === undefined ? {} : { taskId: result.taskId }),
    ...(result.files === undefined ? {} : { files: result.files.map(([path, bytes]) => ({ path, bytes: bytes.byteLength })) })
  })
}

/** The file name of input `index` of `total` in `--out DIR`: its own name when it came from a file, else its zero-padded index. */
export function outputName (index: number, total: number, names?: readonly string[]): string {
  const own = names?.[index]
  return own ?? String(index).padStart(Math.max(1, String(Math.max(0, total - 1)).length), '0')
}

/** A PeerId shortened for a table: the last `keep` characters after an ellipsis. */
export function shortId (peerId: string, keep = 10): string {
  return peerId.length <= keep + 1 ? peerId : `…${peerId.slice(-keep)}`
}

/** When and where each step (over its items) started and ended, read from the run's log. */
export interface StepTiming {
  /** First `scheduled` or `started` of any of its units. */
  startedAt?: number
  /** The last end (succeeded, failed, skipped) of any of its units. */
  endedAt?: number
  /** The executor of its latest `started` or `succeeded`. */
  executor?: string
}

/** Folds log events into each step's timing; give it the log so far, then each new event. */
export function foldStepTimings (timings: Map<string, StepTiming>, events: Iterable<RunEvent>): Map<string, StepTiming> {
  for (const event of events) {
    if (event.type === 'canceled') continue
    const timing = timings.get(event.step) ?? {}
    if ((event.type === 'scheduled' || event.type === 'started') && timing.startedAt === undefined) timing.startedAt = event.at
    if (event.type === 'succeeded' || event.type === 'failed' || event.type === 'skipped') timing.endedAt = event.at
    if ((event.type === 'started' || event.type === 'succeeded') && event.executor !== undefined) timing.executor = event.executor
    timings.set(event.step, timing)
  }
  return timings
}

/** One step as the watch table and its JSON show it. */
export interface StepRow {
  step: string
  state: string
  executor: string
  progress: string
  durationMs?: number
}

const ENDED = new Set(['completed', 'failed', 'canceled', 'skipped'])

/** The rows of the run's table: each step's state, executor(s), progress (items or attempts) and duration so far. */
export function stepRows (status: RunStatus, timings: ReadonlyMap<string, StepTiming>, now: number): StepRow[] {
  return status.steps.map(step => {
    const timing = timings.get(step.name) ?? {}
    const executors = step.executors ?? (timing.executor === undefined ? [] : [timing.executor])
    const ended = ENDED.has(step.state)
    const durationMs = timing.startedAt === undefined ? undefined : (ended ? timing.endedAt ?? timing.startedAt : now) - timing.startedAt
    const progress = step.items === undefined
      ? step.state === 'skipped' ? (step.skipReason ?? '') : step.attempts > 1 ? `attempt ${step.attempts}` : ''
      : `${step.items.done}/${step.items.total}`
    return {
      step: step.name,
      state: step.lastError !== undefined && step.state !== 'completed' ? `${step.state} (${step.lastError.name})` : step.state,
      executor: executors.length === 0 ? '' : executors.length === 1 ? shortId(executors[0]!) : `${shortId(executors[0]!)} +${executors.length - 1}`,
      progress,
      ...(durationMs === undefined ? {} : { durationMs: Math.max(0, durationMs) })
    }
  })
}

/** A step's row as one line, for logs that are not a terminal (a line per change). */
export function stepLine (row: StepRow): string {
  return [`${row.step}: ${row.state}`, row.progress, row.executor === '' ? '' : `on ${row.executor}`, row.durationMs === undefined ? '' : formatDuration(row.durationMs)]
    .filter(part => part !== '').join(', ')
}

/** A workflow output as JSON: text as it is; blob parts by hash and size (and where `--out` saved them). */
export type OutputJson = string | Array<{ kind: string, hash?: string, bytes?: number, path?: string, text?: string }>

/** A workflow's text output, or its parts described in one line. */
export function describeOutput (name: string, binding: Binding, sizes: ReadonlyMap<string, number>, saved: ReadonlyMap<string, string>): string {
  if (typeof binding === 'string') return `${name}: ${binding.includes('\n') ? `\n${binding.trimEnd()}` : binding}`
  const parts = binding.map(part => {
    if (part.kind === 'text') return JSON.stringify(part.text)
    if (part.kind === 'blob') {
      const path = saved.get(part.hash)
      return `${sizes.get(part.hash) ?? '?'} bytes, sha256 ${part.hash}${path === undefined ? '' : `, saved to ${path}`}`
    }
    if (part.kind === 'files') return `${Object.keys(part.files).length} files`
    return `${part.items.length} items of ${part.step}`
  })
  return `${name}: ${parts.join('; ')}`
}

/** The rows of `zerostate peers`: connections first-hand, slots and reputation as this peer knows them. */
export interface PeerRow {
  peerId: string
  transports: string[]
  relay: boolean
  contributing: boolean
  slots: number
  /** This peer's score of it (0–1, 0.5 when unknown). */
  reputation: number
  blacklisted: boolean
  /** Its Agent Card's prices and tags, when its card arrived. */
  prices?: AgentCard['prices']
  tags?: string[]
}

export function peerRows (peers: readonly PeerInfo[], cards: readonly AgentCard[], ledger: Pick<LedgerView, 'reputation'>): PeerRow[] {
  const cardOf = new Map(cards.map(card => [card.peerId, card]))
  const reputationOf = new Map(ledger.reputation.map(view => [view.peerId, view]))
  return peers.map(peer => {
    const card = cardOf.get(peer.peerId)
    const reputation = reputationOf.get(peer.peerId)
    return {
      peerId: peer.peerId,
      transports: [...new Set(peer.transports)],
      relay: peer.isRelay,
      contributing: peer.contributing,
      slots: card?.workerSlots ?? peer.slots,
      reputation: reputation?.score ?? 0.5,
      blacklisted: reputation?.blacklisted ?? false,
      ...(card === undefined ? {} : { prices: card.prices, tags: card.skills.flatMap(skill => skill.tags) })
    }
  }).sort((x, y) => Number(x.relay) - Number(y.relay) || Number(y.contributing) - Number(x.contributing) || (x.peerId < y.peerId ? -1 : 1))
}

/** What `zerostate ledger` shows: each channel's balances, the payments added up, counts of the rest. */
export interface LedgerSummary {
  peerId: string
  channels: Array<{ channelId: string, peer: string, status: string, sequence: number, balance: number, peerBalance: number, updatedAt: number }>
  payments: { count: number, paid: number, received: number, refunds: number, recent: Array<{ at: number, direction: 'in' | 'out', kind: string, amount: number, taskId: string, peer: string }> }
  settlements: number
  attestations: number
  reports: number
  reputation: Array<{ peerId: string, score: number, network?: number, blacklisted: boolean }>
}

/** How many payments `zerostate ledger` lists one by one. */
export const RECENT_PAYMENTS = 10

export function ledgerSummary (self: string, view: LedgerView): LedgerSummary {
  const peerOfChannel = new Map(view.channels.map(channel => [channel.channelId, channel.peer]))
  const sum = (direction: 'in' | 'out', kind: string): number => view.payments.filter(p => p.direction === direction && p.kind === kind).reduce((total, p) => total + p.amount, 0)
  return {
    peerId: self,
    channels: view.channels.map(channel => {
      const state = channel.latest.state
      const mine = channel.side === 'a'
      return { channelId: channel.channelId, peer: channel.peer, status: channel.status, sequence: state.sequence, balance: mine ? state.balanceA : state.balanceB, peerBalance: mine ? state.balanceB : state.balanceA, updatedAt: channel.updatedAt }
    }),
    payments: {
      count: view.payments.length,
      paid: sum('out', 'payment') - sum('in', 'refund'),
      received: sum('in', 'payment') - sum('out', 'refund'),
      refunds: view.payments.filter(p => p.kind === 'refund').length,
      recent: view.payments.slice(0, RECENT_PAYMENTS).map(p => ({ at: p.at, direction: p.direction, kind: p.kind, amount: p.amount, taskId: p.kind === 'share' ? p.share.runId : p.receipt.taskId, peer: peerOfChannel.get(p.channelId) ?? '' }))
    },
    settlements: view.settlements.length,
    attestations: view.attestations.length,
    reports: view.reports.length,
    reputation: view.reputation.map(r => ({ peerId: r.peerId, score: r.score, ...(r.network === undefined ? {} : { network: r.network }), blacklisted: r.blacklisted }))
  }
}

/** One line of `workflow list`. */
export function runLine (run: WorkflowRunRecord): string {
  const name = /^name:\s*(\S+)/m.exec(run.specText)?.[1]
  return `${run.runId}  ${run.state.padEnd(9)}  ${new Date(run.createdAt).toISOString()}${name === undefined ? '' : `  ${name}`}`
}

/** One line of `workflow log`: when, what, which step or item, and what it says. */
export function logLine (event: RunEvent): string {
  const when = new Date(event.at).toISOString()
  if (event.type === 'canceled') return `${when}  canceled${event.reason === undefined ? '' : `: ${event.reason}`}`
  const where = `${event.step}${event.item === undefined ? '' : `[${event.item}]`}`
  const detail = event.type === 'started' || event.type === 'succeeded'
    ? `${'attempt' in event ? ` attempt ${event.attempt}` : ''}${event.executor === undefined ? '' : ` on ${event.executor}`}`
    : event.type === 'failed'
      ? ` attempt ${event.attempt}: ${event.error.name}: ${event.error.message}${event.retryable ? ' (retryable)' : ''}`
      : event.type === 'interrupted' ? ` attempt ${event.attempt}` : event.type === 'skipped' ? `: ${event.reason}` : ''
  return `${when}  ${event.type.padEnd(11)} ${where}${detail}`
}

/** A table for a terminal (or a pipe): box lines, the header bold unless `color` is off (NO_COLOR, not a TTY). */
export function table (head: string[], rows: Array<Array<string | number>>, color: boolean): string {
  const t = new Table({ head, style: color ? { head: ['bold'], border: [] } : { head: [], border: [] } })
  t.push(...rows.map(row => row.map(cell => String(cell))))
  return t.toString()
}
