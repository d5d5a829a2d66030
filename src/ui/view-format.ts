/**
 * Pure formatting for the views: no DOM, no clock, so each rule is unit-testable
 * (test/unit/ui/view-format.test.ts).
 */
import type { ReceiptStatus, TaskPhase, Transport } from '../app/index.ts'

/** Keeps `head` characters, an ellipsis and `tail` characters of a long identifier or hash. */
export function abbreviate (text: string, head: number, tail: number): string {
  if (text.length <= head + tail + 1) return text
  return `${text.slice(0, head)}…${text.slice(-tail)}`
}

/** `12D3KooW…wxyz`: enough of both ends to tell peers apart at a glance. */
export function shortPeerId (peerId: string): string {
  return abbreviate(peerId, 8, 4)
}

/** `850 ms`, `1.25 s`, `2 min 05 s`, `3 h 07 min`, `2 d 05 h`. */
export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)} d ${String(Math.floor((ms % 86_400_000) / 3_600_000)).padStart(2, '0')} h`
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)} h ${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')} min`
  const minutes = Math.floor(ms / 60_000)
  const seconds = Math.floor((ms % 60_000) / 1000)
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`
}

/** `12 B`, `3.4 KiB`, `1.2 MiB`. */
export function formatBytes (n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/**
 * `12,345`: digit groups with a comma, whatever the browser's locale, so the
 * same count reads the same in tests, screenshots and bug reports.
 */
export function formatCount (n: number): string {
  if (!Number.isFinite(n)) return '–'
  return countFormat.format(n)
}

export type DecodedOutput =
  | { kind: 'text', text: string }
  | { kind: 'binary', byteLength: number, hexPreview: string }

const PREVIEW_BYTES = 64

/**
 * Shows output as text when it is valid UTF-8 without control characters other
 * than tab, newline, carriage return and escape (ANSI colours); otherwise as a hex preview.
 */
export function decodeOutput (bytes: Uint8Array): DecodedOutput {
  let text: string | undefined
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    text = undefined
  }
  // Control characters (other than tab, line feed, carriage return, escape) mean the bytes are not text to show.
  // eslint-disable-next-line no-control-regex
  if (text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f\u007f]/.test(text)) {
    return { kind: 'text', text }
  }
  const hex = Array.from(bytes.subarray(0, PREVIEW_BYTES), (b) => b.toString(16).padStart(2, '0')).join(' ')
  return {
    kind: 'binary',
    byteLength: bytes.byteLength,
    hexPreview: bytes.byteLength > PREVIEW_BYTES ? `${hex} …` : hex
  }
}

/**
 * The progress line, in order; `failed` replaces whichever step was current.
 * `queued` is drawn only while a task waits in its tab's queue (or failed
 * there): most tasks never do.
 */
const PHASE_STEPS: readonly TaskPhase[] = [
  'preparing',
  'choosing-executor',
  'queued',
  'offering',
  'sending-module',
  'running',
  'verifying',
  'done'
]

export const PHASE_LABELS: Readonly<Record<TaskPhase, string>> = {
  preparing: 'Preparing',
  'choosing-executor': 'Choosing executor',
  queued: 'Queued',
  offering: 'Offering',
  'sending-module': 'Sending module',
  running: 'Running',
  verifying: 'Verifying',
  done: 'Done',
  failed: 'Failed'
}

export type StepState = 'complete' | 'current' | 'pending' | 'failed'

/**
 * State of each step of the progress line. For a failed task, `failedDuring`
 * (the phase it was in) marks where the failure is drawn; without it, the first step.
 */
export function phaseSteps (phase: TaskPhase, failedDuring?: TaskPhase): Array<{ phase: TaskPhase, state: StepState }> {
  const steps = phase === 'queued' || (phase === 'failed' && failedDuring === 'queued') ? PHASE_STEPS : PHASE_STEPS.filter(p => p !== 'queued')
  if (phase === 'failed') {
    const at = failedDuring === undefined || failedDuring === 'failed' ? 0 : steps.indexOf(failedDuring)
    return steps.map((p, i) => ({ phase: p, state: i < at ? 'complete' : i === at ? 'failed' : 'pending' }))
  }
  const current = steps.indexOf(phase)
  return steps.map((p, i) => ({
    phase: p,
    state: i < current || phase === 'done' ? 'complete' : i === current ? 'current' : 'pending'
  }))
}

const TRANSPORT_LABELS: Readonly<Record<Transport, string>> = {
  webrtc: 'WebRTC',
  relayed: 'relayed',
  websocket: 'websocket',
  other: 'other'
}

/** One badge per distinct transport, in a stable order. */
export function transportBadges (transports: readonly Transport[]): string[] {
  const order: Transport[] = ['webrtc', 'relayed', 'websocket', 'other']
  return order.filter((t) => transports.includes(t)).map((t) => TRANSPORT_LABELS[t])
}

/** Splits the args field on runs of whitespace; an empty field gives no args. */
export function parseArgs (input: string): string[] {
  return input.split(/\s+/).filter((a) => a !== '')
}

/** `\0asm` followed by version 1 (WebAssembly core spec, 5.5.16 "Modules"). */
const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

/** Why an uploaded file cannot be submitted, or undefined when it looks like a core wasm module. */
export function uploadProblem (name: string, bytes: Uint8Array): string | undefined {
  if (bytes.byteLength === 0) return `${name} is empty.`
  if (bytes.byteLength < WASM_HEADER.length || WASM_HEADER.some((b, i) => bytes[i] !== b)) {
    return `${name} is not a WebAssembly module (expected the \\0asm version 1 header).`
  }
  return undefined
}

export type Tone = 'ok' | 'warn' | 'bad'

export interface RunStatusView {
  /** The receipt's status word, with the exit code for `exit`. */
  text: string
  tone: Tone
  /** One sentence for a tooltip. */
  description: string
}

const RUN_STATUS: Readonly<Record<ReceiptStatus, { tone: Tone, description: string }>> = {
  ok: { tone: 'ok', description: 'The module finished with exit code 0.' },
  exit: { tone: 'warn', description: 'The module exited with a non-zero exit code.' },
  trap: { tone: 'bad', description: 'The module trapped (a WebAssembly runtime error such as unreachable or an out-of-bounds access).' },
  timeout: { tone: 'bad', description: 'The executor stopped the module at its wall-clock timeout.' },
  'out-of-fuel': { tone: 'bad', description: 'The module used up its fuel budget of metered instructions.' },
  'memory-limit': { tone: 'bad', description: 'The module tried to grow its memory past the memory limit.' },
  'invalid-module': { tone: 'bad', description: 'The executor could not compile or instantiate the module.' }
}

/** How a run ended, as the receipt states it (trust/constants.ts `RECEIPT_STATUSES`). */
export function runStatus (status: ReceiptStatus, exitCode: number | null): RunStatusView {
  const { tone, description } = RUN_STATUS[status]
  return { text: status === 'exit' && exitCode !== null ? `exit ${exitCode}` : status, tone, description }
}

/**
 * File name to save an output file as: the last segment of its path in /work,
 * kept to filename-safe characters; `output` when nothing usable is left.
 */
export function outputFilename (path: string): string {
  const base = path.split('/').filter((s) => s !== '').pop() ?? ''
  const safe = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '')
  return safe === '' ? 'output' : safe
}

/** File name for a downloaded receipt; task ids are kept to filename-safe characters. */
export function receiptFilename (taskId: string): string {
  return `receipt-${taskId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`
}

/**
 * Elapsed run time to show between heartbeats: the executor's last `elapsedMs`
 * plus the local time since that heartbeat arrived (`sinceHeartbeatMs`), which
 * avoids comparing clocks of two machines. Before any heartbeat, falls back to
 * the executor's `startedAt` against the local clock.
 */
export function liveElapsedMs (
  task: { elapsedMs?: number, startedAt?: number },
  sinceHeartbeatMs: number | undefined,
  nowEpochMs: number
): number | undefined {
  if (task.elapsedMs !== undefined) return task.elapsedMs + Math.max(0, sinceHeartbeatMs ?? 0)
  if (task.startedAt !== undefined) return Math.max(0, nowEpochMs - task.startedAt)
  return undefined
}

/** An executor's measured speed from its Agent Card: `412,000 fuel/ms`. */
export function formatFuelRate (fuelPerMs: number): string {
  return `${formatCount(fuelPerMs)} fuel/ms`
}

/** `in 4 min 00 s`, or `expired` once `expiresAt` has passed. */
export function formatExpiresIn (expiresAt: number, nowEpochMs: number): string {
  const left = expiresAt - nowEpochMs
  return left > 0 ? `in ${formatDuration(left)}` : 'expired'
}

/** Micro-units per unit (receipts/pricing: amounts are integers of µ, 10^6 µ = 1 unit). */
const MICRO_PER_UNIT = 1_000_000

const unitFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 })

/** `0.0025 units`: an amount of micro-units in units, exact to the µ. */
export function formatUnits (micro: number): string {
  if (!Number.isFinite(micro)) return '–'
  return `${unitFormat.format(micro / MICRO_PER_UNIT)} ${Math.abs(micro) === MICRO_PER_UNIT ? 'unit' : 'units'}`
}

/**
 * `0.0025 units (2,500 µ)`: an amount of micro-units in units, with the
 * integer count beside it, since receipts and channel states carry µ.
 */
export function formatMicroUnits (micro: number): string {
  if (!Number.isFinite(micro)) return '–'
  return `${formatUnits(micro)} (${formatCount(micro)} µ)`
}

/** An executor's asking prices in one short line, or "free". */
export function formatPrices (prices: { perMegaFuel: number, perSecond: number, perMb: number }): string {
  if (prices.perMegaFuel === 0 && prices.perSecond === 0 && prices.perMb === 0) return 'free'
  return `${formatMicro(prices.perMegaFuel)}/Mfuel · ${formatMicro(prices.perSecond)}/s · ${formatMicro(prices.perMb)}/MiB`
}

/** `2,500 µ`: the short form, for table cells where the unit reading is in the tooltip. */
export function formatMicro (micro: number): string {
  if (!Number.isFinite(micro)) return '–'
  return `${formatCount(micro)} µ`
}
