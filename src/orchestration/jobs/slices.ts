/**
 * Cutting a job's inputs into slices and moving text inputs in and out of one
 * task per slice, pure. A slice of text inputs runs as one WASI command whose
 * stdin holds its inputs one per line and whose stdout must hold one result
 * line per input, in the same order — the contract of line-oriented Unix
 * filters, which most of our workloads (language detection, CSV, JSON
 * Schema) already are.
 *
 * @example
 * const slices = planSlices(inputs.length, DEFAULT_SLICE_SIZE)
 * const stdin = joinLines(inputs.slice(slice.first, slice.first + slice.count))
 * // …run the task…
 * const results = splitLines(stdout, slice.count)
 */
import { MAX_JOB_INPUTS, MAX_JOB_SLICES } from './constants.ts'
import { MultilineInputError, SliceOutputMismatchError } from './errors.ts'

/** `count` consecutive inputs from `first`; `index` is the slice's position in the job. */
export interface Slice {
  index: number
  first: number
  count: number
}

/**
 * Cuts `count` inputs into slices of `sliceSize` consecutive inputs (the last
 * may be shorter). No inputs, no slices. RangeError for a sliceSize that is
 * not an integer ≥ 1, a count that is not an integer from 0 to
 * MAX_JOB_INPUTS, or a plan of more than MAX_JOB_SLICES slices.
 */
export function planSlices (count: number, sliceSize: number): Slice[] {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_JOB_INPUTS) {
    throw new RangeError(`a job's input count must be an integer from 0 to ${MAX_JOB_INPUTS}, got ${String(count)}`)
  }
  if (typeof sliceSize !== 'number' || !Number.isSafeInteger(sliceSize) || sliceSize < 1) {
    throw new RangeError(`slice size must be an integer ≥ 1, got ${String(sliceSize)}`)
  }
  const sliceCount = Math.ceil(count / sliceSize)
  if (sliceCount > MAX_JOB_SLICES) {
    throw new RangeError(`${count} inputs in slices of ${sliceSize} make ${sliceCount} slices, more than ${MAX_JOB_SLICES}; use slices of at least ${Math.ceil(count / MAX_JOB_SLICES)}`)
  }
  return Array.from({ length: sliceCount }, (_, index) => {
    const first = index * sliceSize
    return { index, first, count: Math.min(sliceSize, count - first) }
  })
}

/**
 * One stdin for a slice's text inputs: each input followed by '\n'. Throws
 * MultilineInputError (a TypeError, `index` the offending input's position)
 * for an input holding '\n' or '\r' — '\r' too, because a task reading lines
 * the Windows way would split there — and a TypeError for a non-string.
 */
export function joinLines (inputs: readonly string[]): string {
  inputs.forEach((input, index) => {
    if (typeof input !== 'string') throw new TypeError(`input ${index} is not a string`)
    if (/[\n\r]/.test(input)) throw new MultilineInputError(index)
  })
  return inputs.map(input => `${input}\n`).join('')
}

/**
 * A slice's results from its task's stdout: exactly `count` lines, separated
 * by '\n', the last one's '\n' optional. So '' is no lines and '\n' one empty
 * line. Lines are split on '\n' only and kept as printed ('\r' included):
 * a result is what the task wrote. SliceOutputMismatchError, naming expected
 * and actual counts, for any other number of lines — a task that skipped or
 * added a line would shift every later result onto the wrong input.
 */
export function splitLines (stdout: string, count: number): string[] {
  if (typeof stdout !== 'string') throw new TypeError('stdout must be a string')
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`line count must be an integer ≥ 0, got ${String(count)}`)
  if (stdout === '') {
    if (count === 0) return []
    throw new SliceOutputMismatchError(count, 0)
  }
  const lines = stdout.split('\n')
  // A final '\n' terminates the last line rather than starting an empty one.
  if (stdout.endsWith('\n')) lines.pop()
  if (lines.length !== count) throw new SliceOutputMismatchError(count, lines.length)
  return lines
}
