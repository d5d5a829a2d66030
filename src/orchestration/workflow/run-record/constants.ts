/**
 * Fixed values of the signed workflow record (docs/workflow-record.md). The
 * `kind` string is inside the signed bytes, so a record's signature can never
 * be replayed as a receipt, a bid or an Agent Card (domain separation).
 */

/** Tag of every workflow record (signed by the run's submitter). */
export const WORKFLOW_RECORD_KIND = 'zerostate/workflow-record/1'

/**
 * Tag of a record of a run whose spec declares a shared context
 * (docs/workflow-context.md): version 1's members and `contextHash`. A run
 * without a context is still recorded as version 1, byte for byte as before.
 */
export const WORKFLOW_RECORD_KIND_WITH_CONTEXT = 'zerostate/workflow-record/2'

/**
 * Upper bound on the UTF-8 length of a record's canonical form, signature
 * included: 8 MiB. A step entry of a plain step that ran is about 330 bytes
 * (name, executor, two hashes, two times), plus about 80 bytes per output
 * file, so about 24,000 entries fit: a spec at its limits (64 steps, each a
 * 1000-item fan-out, docs/workflow-spec.md) does not, and signing such a run
 * fails with WorkflowRecordTooLargeError rather than cutting the record.
 */
export const MAX_WORKFLOW_RECORD_BYTES = 8 * 1024 * 1024

/** Most step entries: every step of the largest spec a 1000-item fan-out (64 × 1000), plus one whole-step entry each (64). */
export const MAX_WORKFLOW_RECORD_STEPS = 64 * 1000 + 64

/** Longest run id (the A2A contextId): 1–128 characters of [A-Za-z0-9_-]. The runs of this project are `wf-<UUID>`, 39. */
export const MAX_RUN_ID_LENGTH = 128

/** Most output files one step entry lists; more than the 256 input files a task may be given, as a run may write many small ones. */
export const MAX_RECORD_STEP_FILES = 1024

/** Longest output file path, in bytes of UTF-8 (the task protocol's limit on a file path). */
export const MAX_RECORD_FILE_PATH_BYTES = 256

/** Most attempts one entry may count: far above what the retry limit (10) and the free interruptions allow. */
export const MAX_RECORD_ATTEMPTS = 1000

/** Most entries in `inputHashes` and in `outputs`: the spec's limits on inputs and outputs. */
export const MAX_RECORD_INPUTS = 32
export const MAX_RECORD_OUTPUTS = 32

/** Highest fan-out item index: a fan-out has at most 1000 items. */
export const MAX_RECORD_ITEM = 999

/** How far ahead of the verifier's clock a record's `finishedAt` may be (clocks of two machines differ). */
export const MAX_WORKFLOW_RECORD_CLOCK_SKEW_MS = 5 * 60_000
