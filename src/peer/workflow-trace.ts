/**
 * One trace per workflow run (docs/tracing.md §7): a `workflow` span, the
 * trace's root, from the run's start (or resumption) to its end; under it a
 * `step` span for each unit's attempt, which its task's spans hang under
 * (the submitter's `submit`, the executor's `execute`, a forwarded task's
 * hops), and the `pay` of the unit's settlement. A resumed run is a new
 * runner, and gets a new trace: the spans of the runner before the reload
 * were in memory only.
 */
import type { Span } from '@opentelemetry/api'
import { formatTraceparent } from '../core/tracing/index.ts'
import type { TraceRecorder } from '../network/tracing/index.ts'
import type { StepTrace } from '../orchestration/workflow/runner/index.ts'

export class RunTrace {
  readonly traceId: string
  private readonly recorder: TraceRecorder
  private readonly root: Span
  /** Each dispatched task's `step` span, by task id, until its unit is settled. */
  private readonly steps = new Map<string, Span>()
  private ended = false

  private constructor (recorder: TraceRecorder, root: Span) {
    this.recorder = recorder
    this.root = root
    this.traceId = root.spanContext().traceId
  }

  /** The run's trace, when this peer records spans (and tracing is on). */
  static open (recorder: TraceRecorder | undefined, runId: string, name: string | undefined, resumed: boolean): RunTrace | undefined {
    if (recorder === undefined || !recorder.enabled) return undefined
    return new RunTrace(recorder, recorder.start('workflow', undefined, {
      'zerostate.run_id': runId, 'zerostate.resumed': resumed, ...(name === undefined ? {} : { 'zerostate.workflow': name })
    }))
  }

  /** The runner's `traceStep`: a `step` span for one unit's attempt, its task's spans under it. */
  step (unit: { step: string, item?: number, attempt: number, taskId: string }): StepTrace {
    const span = this.recorder.start('step', this.root, {
      'zerostate.step': unit.step, 'zerostate.attempt': unit.attempt, 'zerostate.task_id': unit.taskId, ...(unit.item === undefined ? {} : { 'zerostate.item': unit.item })
    })
    this.steps.set(unit.taskId, span)
    return {
      trace: { recorder: this.recorder, parent: span },
      end: error => { this.recorder.end(span, error) }
    }
  }

  /** Runs a unit's settlement (paying for it, keeping its receipt) as its step's `pay` span; `work` gets its traceparent, for the payee. */
  async settle<T>(taskId: string, work: (traceparent: string) => Promise<T>): Promise<T> {
    const parent = this.steps.get(taskId) ?? this.root
    this.steps.delete(taskId)
    return this.recorder.within('pay', parent, async span => work(formatTraceparent(this.recorder.contextOf(span))))
  }

  /** Ends the `workflow` span (failed, with `error`); a second call does nothing. */
  end (state: string, error?: unknown): void {
    if (this.ended) return
    this.ended = true
    this.root.setAttribute('zerostate.state', state)
    this.steps.clear()
    this.recorder.end(this.root, error)
  }
}
