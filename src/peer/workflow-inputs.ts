/**
 * A workflow's `bytes` and `files` inputs as the page gives them — a
 * Uint8Array, a Blob or File, a FileList — put into this peer's blob store, so
 * that the run (and its record, for a resume) holds only their hashes:
 * `{ blob: <hash> }` and `{ files: { <name>: <hash> } }`, the form the
 * scheduler checks (scheduler/inputs.ts) and the runner reads back.
 */
import { sha256HexAsync } from '../core/hash.ts'
import type { WorkflowInputValue } from '../orchestration/workflow/scheduler/index.ts'
import type { WorkflowSpec } from '../orchestration/workflow/spec/index.ts'

/** Bytes as the page has them. */
export type InputBytes = Uint8Array | Blob

/**
 * What `window.zerostate.workflow(spec, inputs)` takes for one input: its
 * stored form (WorkflowInputValue), or for a `bytes` input the bytes, for a
 * `files` input a map name → bytes, a FileList or a list of Files (each under
 * its own name).
 */
export type WorkflowInputGiven = WorkflowInputValue | InputBytes | Readonly<Record<string, InputBytes>> | FileList | readonly File[]

/** Where the bytes go: resolves with their lowercase hex SHA-256. */
export type PutBlob = (bytes: Uint8Array) => Promise<string>

const isBytes = (value: unknown): value is InputBytes =>
  value instanceof Uint8Array || (typeof Blob !== 'undefined' && value instanceof Blob)

const isFileList = (value: unknown): value is FileList =>
  typeof FileList !== 'undefined' && value instanceof FileList

async function bytesOf (value: InputBytes): Promise<Uint8Array> {
  return value instanceof Uint8Array ? value : new Uint8Array(await value.arrayBuffer())
}

/** The files of a `files` input given as files, by name; undefined when `value` is not that (it is then checked as given). */
function givenFiles (name: string, value: unknown): Array<[string, InputBytes]> | undefined {
  if (isFileList(value) || Array.isArray(value)) {
    const files = [...(value as ArrayLike<unknown>) as unknown[]]
    if (!files.every(file => typeof File !== 'undefined' && file instanceof File)) return undefined
    const named = (files as File[]).map((file): [string, InputBytes] => [file.name, file])
    const names = new Set(named.map(([fileName]) => fileName))
    if (names.size !== named.length) throw new RangeError(`input ${name}: two files have the same name`)
    return named
  }
  if (typeof value !== 'object' || value === null) return undefined
  const entries = Object.entries(value)
  return entries.every(([, file]) => isBytes(file)) ? entries as Array<[string, InputBytes]> : undefined
}

/**
 * `inputs` with every `bytes` and `files` input given as bytes stored through
 * `put` and replaced by its hashes. Inputs given in their stored form, and
 * inputs of other types, are passed on as they are (the run checks them).
 * Throws RangeError when two files of one input have the same name.
 */
export async function storeWorkflowInputs (spec: WorkflowSpec, inputs: Readonly<Record<string, WorkflowInputGiven>>, put: PutBlob): Promise<Record<string, WorkflowInputValue>> {
  const stored: Record<string, WorkflowInputValue> = {}
  for (const [name, value] of Object.entries(inputs)) {
    const type = Object.hasOwn(spec.inputs ?? {}, name) ? spec.inputs?.[name]?.type : undefined
    const files = type === 'files' ? givenFiles(name, value) : undefined
    if (type === 'bytes' && isBytes(value)) {
      stored[name] = { blob: await put(await bytesOf(value)) }
    } else if (files !== undefined) {
      const hashes: Record<string, string> = {}
      for (const [fileName, bytes] of files) hashes[fileName] = await put(await bytesOf(bytes))
      stored[name] = { files: hashes }
    } else {
      stored[name] = value as WorkflowInputValue
    }
  }
  return stored
}

/** A PutBlob over a store's `putBlob(hash, bytes)`. */
export function blobPutter (store: { putBlob: (hash: string, bytes: Uint8Array) => Promise<void> }): PutBlob {
  return async bytes => {
    const hash = await sha256HexAsync(bytes)
    await store.putBlob(hash, bytes)
    return hash
  }
}
