/**
 * The tab's tracing as `window.zerostate` offers it (docs/tracing.md §2, §7,
 * §8): on or off, the OTLP collector, and the spans this tab keeps of a
 * task, a workflow run or any trace. The settings live in the app's state
 * and are kept across reloads (tracing-settings.ts).
 */
import type { ComposedPeer } from '../peer/compose.ts'
import { applyTracing, changedTracing, saveTracingSettings } from './tracing-settings.ts'
import type { TracingView } from './tracing-settings.ts'
import type { TaskTraceView, TraceSpan } from './types.ts'
import type { ViewModel } from './view-model.ts'

/** What the controls need of the app: its view state and its peer. */
export interface TracingHost {
  readonly view: Pick<ViewModel, 'state' | 'update'>
  /** The started peer; throws (StartupError) before it started. */
  runningPeer(): ComposedPeer
  /** The peer, once started. */
  peer(): ComposedPeer | undefined
}

export class TracingControls {
  readonly #host: TracingHost

  constructor (host: TracingHost) {
    this.#host = host
  }

  /** The kept settings, on the peer just started; a collector URL kept by an older version that no longer passes is dropped. */
  applyKept (): void {
    const kept = this.#host.view.state.tracing
    applyTracing(this.#host.runningPeer(), kept).catch((err: unknown) => {
      this.#keep({ ...kept, otlpUrl: null })
      this.#host.view.update({ notice: `the kept trace collector ${kept.otlpUrl ?? ''} was dropped: ${err instanceof Error ? err.message : String(err)}` })
    })
  }

  /** Turns tracing on or off (in force at once); returns whether it is on. */
  enabled (on?: boolean): boolean {
    const traces = this.#host.runningPeer().traces
    if (traces === undefined) return false
    // Only `enabled` changes, in force at once (applyTracing sets it before it awaits anything).
    if (on !== undefined) this.configure({ enabled: on }).catch((err: unknown) => { this.#host.view.update({ notice: `tracing: ${String(err)}` }) })
    return traces.enabled
  }

  /** Changes the settings; a URL that cannot be a collector is refused (InvalidCollectorUrlError) and nothing changes. */
  async configure (change: { enabled?: boolean, otlpUrl?: string | null }): Promise<TracingView> {
    const next = changedTracing(this.#host.view.state.tracing, change)
    await applyTracing(this.#host.runningPeer(), next)
    this.#keep(next)
    return next
  }

  /** The spans this tab keeps of `traceId`; [] when it keeps none. */
  spans (traceId: string): TraceSpan[] {
    return this.#host.peer()?.traces?.trace(traceId) ?? []
  }

  /** The trace of a task submitted from this tab; undefined for a task not traced or not known. */
  task (taskId: string): TaskTraceView | undefined {
    return this.#view(this.#host.view.state.tasks.find(task => task.taskId === taskId)?.trace?.traceId)
  }

  /** The trace of a workflow run this tab drives; undefined for a run not traced or not known. */
  workflow (runId: string): TaskTraceView | undefined {
    return this.#view(this.#host.view.state.workflows.find(run => run.runId === runId)?.trace?.traceId)
  }

  #view (traceId: string | undefined): TaskTraceView | undefined {
    return traceId === undefined ? undefined : { traceId, spans: this.spans(traceId) }
  }

  #keep (tracing: TracingView): void {
    saveTracingSettings(tracing)
    this.#host.view.update({ tracing })
  }
}
