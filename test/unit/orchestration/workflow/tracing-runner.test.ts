/**
 * A workflow run as one trace (docs/tracing.md §7): the runner asks its
 * `traceStep` for each unit's span as it dispatches the unit's task, and
 * passes it to the dispatch; the peer layer's RunTrace makes them `step`
 * spans under the run's `workflow` span, with each unit's settlement as
 * `pay` under its step. Over the runner's in-memory twins and a real
 * TraceRecorder.
 */
import { describe, expect, it } from 'vitest'
import { TraceRecorder } from '../../../../src/network/tracing/index.ts'
import type { TaskTraceOptions, ValidOffer } from '../../../../src/orchestration/task-protocol/index.ts'
import { startWorkflow } from '../../../../src/orchestration/workflow/runner/index.ts'
import type { WorkflowRunnerComponents } from '../../../../src/orchestration/workflow/runner/index.ts'
import { RunTrace } from '../../../../src/peer/workflow-trace.ts'
import { defaults, example, exampleModules, fakes, inputText } from './runner-fixture.ts'

describe('a traced workflow run', () => {
  it('hangs each unit\'s task under a `step` span of the run\'s one trace, and its settlement as `pay`', async () => {
    const recorder = new TraceRecorder({ peer: 'submitter' })
    const trace = RunTrace.open(recorder, 'count-t', 'example', false)!
    const f = fakes(exampleModules())
    const dispatched: Array<{ taskId: string, trace?: TaskTraceOptions }> = []
    const runOnce = f.components.dispatch.runOnce.bind(f.components.dispatch)
    const components: WorkflowRunnerComponents = {
      ...f.components,
      dispatch: {
        runOnce: async (offer: ValidOffer, module, requirements, request, options = {}) => {
          dispatched.push({ taskId: offer.taskId, ...(options.trace === undefined ? {} : { trace: options.trace }) })
          return runOnce(offer, module, requirements, request, options)
        }
      },
      traceStep: unit => trace.step(unit),
      settle: async (outcome, offer, module, step) => trace.settle(offer.taskId, async () => { await (f.components.settle as WorkflowRunnerComponents['settle'])(outcome, offer, module, step) })
    }
    const runner = await startWorkflow(components, { runId: 'count-t', spec: example, inputs: { text: inputText }, defaults })
    const result = await runner.result()
    trace.end(result.state)
    expect(result.state).toBe('completed')

    const spans = recorder.trace(trace.traceId)
    const root = spans.find(span => span.name === 'workflow')!
    expect(root.attributes).toMatchObject({ 'zerostate.run_id': 'count-t', 'zerostate.state': 'completed' })
    const steps = spans.filter(span => span.name === 'step')
    expect(steps).toHaveLength(5)
    expect(dispatched).toHaveLength(5)
    for (const { taskId, trace: given } of dispatched) {
      const step = steps.find(span => span.attributes['zerostate.task_id'] === taskId)!
      expect(step.parentId).toBe(root.spanId)
      // The task was dispatched under its step's span, in the run's trace.
      expect(given?.parent.spanContext().spanId).toBe(step.spanId)
      expect(given?.recorder).toBe(recorder)
      expect(spans.filter(span => span.name === 'pay' && span.parentId === step.spanId)).toHaveLength(1)
    }
    expect(steps.filter(span => span.attributes['zerostate.step'] === 'detect').map(span => span.attributes['zerostate.item']).sort()).toEqual([0, 1, 2])
  })

  it('dispatches with no trace when the run is not traced', async () => {
    const f = fakes(exampleModules())
    const seen: unknown[] = []
    const runOnce = f.components.dispatch.runOnce.bind(f.components.dispatch)
    const components: WorkflowRunnerComponents = {
      ...f.components,
      dispatch: { runOnce: async (offer, module, requirements, request, options = {}) => { seen.push(options.trace); return runOnce(offer, module, requirements, request, options) } }
    }
    const runner = await startWorkflow(components, { runId: 'count-u', spec: example, inputs: { text: inputText }, defaults })
    expect((await runner.result()).state).toBe('completed')
    expect(seen).toHaveLength(5)
    expect(seen.every(trace => trace === undefined)).toBe(true)
  })
})
