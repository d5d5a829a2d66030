/**
 * The committed workloads (src/workloads/<id>/ with a build.json and a
 * sample.json) and the example input each sample.json names — the input the
 * page offers — read as bytes, for tests and benchmarks that run every
 * workload the same way in Node, in Chromium, on a peer and by the CLI.
 */
import { readdir, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const WORKLOADS_DIR = resolve(import.meta.dirname, '../../src/workloads')

export interface WorkloadInput {
  args: string[]
  stdin: Uint8Array
  files: Array<[string, Uint8Array]>
}

export interface WorkloadExample extends WorkloadInput {
  id: string
  /** The committed module, src/workloads/<id>/<id>.wasm. */
  module: Uint8Array
  /** True when stdin is an image (the page shows an image picker). */
  image: boolean
}

interface SampleJson {
  defaultArgs: string[]
  defaultStdin?: string
  defaultStdinFile?: string
  defaultFiles?: Record<string, string>
}

/** Ids of the workloads with a build.json and a sample.json, sorted. */
export async function workloadIds (): Promise<string[]> {
  return (await readdir(WORKLOADS_DIR, { withFileTypes: true }))
    .filter(entry => entry.isDirectory() && existsSync(join(WORKLOADS_DIR, entry.name, 'build.json')) && existsSync(join(WORKLOADS_DIR, entry.name, 'sample.json')))
    .map(entry => entry.name)
    .sort()
}

export async function workloadExample (id: string): Promise<WorkloadExample> {
  const dir = join(WORKLOADS_DIR, id)
  const sample = JSON.parse(await readFile(join(dir, 'sample.json'), 'utf8')) as SampleJson
  const stdin = sample.defaultStdinFile === undefined
    ? new TextEncoder().encode(sample.defaultStdin ?? '')
    : new Uint8Array(await readFile(join(dir, sample.defaultStdinFile)))
  const files = await Promise.all(Object.entries(sample.defaultFiles ?? {}).map(async ([name, file]): Promise<[string, Uint8Array]> =>
    [name, new Uint8Array(await readFile(join(dir, file)))]))
  return {
    id,
    module: new Uint8Array(await readFile(join(dir, `${id}.wasm`))),
    args: sample.defaultArgs,
    stdin,
    files,
    image: sample.defaultStdinFile !== undefined && /\.(png|jpe?g)$/i.test(sample.defaultStdinFile)
  }
}

export async function workloadExamples (): Promise<WorkloadExample[]> {
  return Promise.all((await workloadIds()).map(workloadExample))
}
