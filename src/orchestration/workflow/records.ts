/**
 * What a tab keeps of a workflow run it submitted (storage's WorkflowStore
 * holds it, with the run's event log, its blobs and memoized outputs): enough
 * to resume the run after a reload — the spec as written, its inputs — and
 * to list runs with their state. The run id is the A2A `contextId` of the
 * run's tasks.
 */
export interface WorkflowRunRecord {
  runId: string
  /** The spec as the user wrote it (YAML or JSON), and its SHA-256. */
  specText: string
  specHash: string
  /** The workflow's inputs, by name (bytes and files inputs by blob hash). */
  inputs: Record<string, unknown>
  /** The tasks' seed, hex: a resumed run must run its steps with the same one (it is part of their memo keys). */
  seedHex: string
  /** A2A task state of the run. */
  state: 'submitted' | 'working' | 'completed' | 'failed' | 'canceled'
  createdAt: number
  updatedAt: number
  /**
   * The run's signed workflow record (run-record/'s WorkflowRecord,
   * docs/workflow-record.md), once the run ended and this tab signed it.
   * Typed loosely so that this file imports nothing.
   */
  signedRecord?: unknown
  /**
   * A run awarded before it started (peer/guild-run.ts): the award, its
   * re-awards and its guild steps' costs, kept as they change so that a
   * resumed run keeps them. Typed loosely for the same reason.
   */
  award?: unknown
}
