/** Bounds and defaults of a job: many inputs, cut into slices, each slice one task. */

/**
 * Most slices one job is cut into. The scheduler keeps a small record per
 * slice and the runner one pending result per slice until it is released in
 * order, so this bounds a job's bookkeeping in a tab.
 */
export const MAX_JOB_SLICES = 10_000

/** Most inputs one job takes (lines, files…). At DEFAULT_SLICE_SIZE that is exactly MAX_JOB_SLICES slices. */
export const MAX_JOB_INPUTS = 100_000

/**
 * Inputs per slice when the submitter does not choose. Each task pays a fixed
 * cost (an offer, a module instantiation, a receipt, a payment), so one input
 * per task wastes most of the work on overhead; ten keeps that small while a
 * slice stays short enough that losing one to a vanished tab costs little.
 */
export const DEFAULT_SLICE_SIZE = 10

/** Distinct executors a slice may fail on before it is quarantined. */
export const DEFAULT_MAX_EXECUTORS_PER_SLICE = 3

/**
 * Retry backoff of a failed slice: initialMs · factor^(failures − 1), at most
 * maxMs. Exponential because a failure often means the mesh is busy or
 * churning, which a quick retry elsewhere would only meet again.
 */
export const DEFAULT_BACKOFF_INITIAL_MS = 500
export const DEFAULT_BACKOFF_FACTOR = 2
export const DEFAULT_BACKOFF_MAX_MS = 10_000

/** Upper bound on any backoff setting (one day): larger values are surely a unit mistake. */
export const MAX_BACKOFF_MS = 86_400_000
