/**
 * A workflow run's shared context, replicated over gossipsub
 * (docs/workflow-context.md §9): the submitter publishes the entries it signs
 * on the run's topic, any peer that knows the run's spec watches it and holds
 * a replica that converges to the same state; forged, misattributed or
 * rule-breaking entries are refused before gossipsub forwards them.
 *
 * @example
 * ```ts
 * import { workflowContextSync } from './orchestration/workflow/context-sync/index.ts'
 *
 * const sync = workflowContextSync()({ pubsub: node.services.pubsub })
 * sync.start()
 * runner.addEventListener('context', e => { void sync.publish(runner.runId, e.detail.entries) })
 * const replica = sync.watch(runId, spec.context, { writers: [submitter] })
 * ```
 */
export { packContextMessages, readContextMessage, workflowContextSync } from './context-sync.ts'
export type { ContextReplica, WatchOptions, WorkflowContextSync, WorkflowContextSyncComponents, WorkflowContextSyncInit } from './context-sync.ts'
export * from './constants.ts'
export * from './errors.ts'
