/**
 * This peer's part in replicating workflow contexts (docs/workflow-context.md
 * §9, orchestration/workflow/context-sync): the runs it drives publish the
 * entries their steps' updates became, on the run's gossipsub topic, as they
 * enter the context (and all of them again to a peer that subscribes later);
 * a run it does not drive it can watch, given the run's spec, and hold a
 * replica that converges to the submitter's context.
 */
import { workflowContextSync, type ContextReplica, type WorkflowContextSync } from '../orchestration/workflow/context-sync/index.ts'
import type { ContextChange, RunContextSnapshot, WorkflowRunner } from '../orchestration/workflow/runner/index.ts'
import { parseWorkflowSpec } from '../orchestration/workflow/spec/index.ts'
import type { ComposedPeer } from './compose.ts'
import type { PeerContext } from './context.ts'

/** One replication per running peer, made when a run first needs it. */
const syncs = new WeakMap<ComposedPeer, WorkflowContextSync>()

function syncOf (ctx: PeerContext): WorkflowContextSync {
  let sync = syncs.get(ctx.peer)
  if (sync === undefined) {
    sync = workflowContextSync()({ pubsub: ctx.peer.node.services.pubsub })
    sync.start()
    syncs.set(ctx.peer, sync)
  }
  return sync
}

/** Publishes a run's context entries as they are logged: those it already holds (a resumed run), then each step's. */
export function publishRunContext (ctx: PeerContext, runner: WorkflowRunner): void {
  const held = runner.context()
  if (held === undefined) return
  const sync = syncOf(ctx)
  if (held.entries.length > 0) void sync.publish(runner.runId, held.entries)
  runner.addEventListener('context', event => {
    void sync.publish(runner.runId, (event as unknown as { detail: ContextChange }).detail.entries)
  })
}

/**
 * The context of run `runId` as this peer holds it, following the run's
 * topic from the first call: `specText` gives the schema, `submitter` (when
 * known) the only writer accepted. Undefined for a spec without `context:`.
 * Throws WorkflowSpecError for a spec that does not parse.
 */
export function watchRunContext (ctx: PeerContext, runId: string, specText: string, options: { submitter?: string } = {}): { context: RunContextSnapshot, refused: Record<string, number> } | undefined {
  const spec = parseWorkflowSpec(specText)
  if (spec.context === undefined) return undefined
  const replica: ContextReplica = syncOf(ctx).watch(runId, spec.context as Record<string, unknown>, options.submitter === undefined ? {} : { writers: [options.submitter] })
  const { state } = replica
  return { context: { hash: state.hash(), value: state.value(), schema: state.schema, entries: state.entries() }, refused: { ...replica.refused } }
}
