/**
 * A job's inputs as the page API and the SDK take them (texts, bytes, Blobs and Files,
 * file sets, or one text of lines) turned into the JobRunner's inputs, and
 * checked before any slice is sent: the count, and each file set merged with
 * the job's own files against the task protocol's limits — the error names
 * the input at fault.
 */
import { DEFAULT_SLICE_SIZE, MAX_JOB_INPUTS, type JobInput } from '../orchestration/jobs/index.ts'
import { checkOfferFiles } from '../orchestration/task-protocol/index.ts'
import type { JobInputGiven, JobRequest } from './types.ts'

export interface JobInputs {
  inputs: JobInput[]
  /** Inputs per slice: the request's, else DEFAULT_SLICE_SIZE for one-line texts and 1 for anything else. */
  sliceSize: number
}

const encoder = new TextEncoder()
const bytesOf = (value: Uint8Array | string): Uint8Array<ArrayBuffer> => typeof value === 'string' ? encoder.encode(value) : new Uint8Array(value)

/** The job's inputs, read and checked; `jobFiles` are the files every task of the job gets. RangeError names a bad input. */
export async function jobInputsOf (request: JobRequest, jobFiles: ReadonlyArray<readonly [string, Uint8Array]>): Promise<JobInputs> {
  const given = typeof request.inputs === 'string' ? linesOf(request.inputs) : [...request.inputs]
  if (given.length === 0) throw new RangeError('a job needs at least one input')
  if (given.length > MAX_JOB_INPUTS) throw new RangeError(`a job takes at most ${MAX_JOB_INPUTS} inputs, got ${given.length}`)
  const inputs = await Promise.all(given.map(async (input, index) => inputOf(input, index, jobFiles)))
  const sliceSize = request.sliceSize ?? (inputs.every(input => typeof input === 'string' && !/[\r\n]/.test(input)) ? DEFAULT_SLICE_SIZE : 1)
  return { inputs, sliceSize }
}

async function inputOf (input: JobInputGiven, index: number, jobFiles: ReadonlyArray<readonly [string, Uint8Array]>): Promise<JobInput> {
  if (typeof input === 'string' || input instanceof Uint8Array) return input
  if (typeof Blob !== 'undefined' && input instanceof Blob) return new Uint8Array(await input.arrayBuffer())
  if (typeof input !== 'object' || input === null || !('files' in input)) {
    throw new RangeError(`job input ${index} must be a string, bytes, a Blob or File, or { files, stdin? }`)
  }
  const files = (Array.isArray(input.files) ? input.files : Object.entries(input.files)).map(([path, data]): [string, Uint8Array<ArrayBuffer>] => [path, bytesOf(data)])
  try {
    checkOfferFiles([...jobFiles.map(([path, data]): [string, Uint8Array<ArrayBuffer>] => [path, new Uint8Array(data)]), ...files])
  } catch (err) {
    throw new RangeError(`job input ${index}: ${err instanceof Error ? err.message : String(err)}`)
  }
  return { files, ...(input.stdin === undefined ? {} : { stdin: input.stdin }) }
}

/** A text's lines as inputs: split on \n, a trailing \r removed, empty lines skipped. */
function linesOf (text: string): string[] {
  return text.split('\n').map(line => line.replace(/\r$/, '')).filter(line => line !== '')
}
