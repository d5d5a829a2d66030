import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { compileSamples, DEFAULT_OUT_DIR, samplesAreBuilt } from '../../../src/build/compile-samples.ts'

/** Compiling all samples takes several seconds; hooks that call `ensureSamplesBuilt` need a longer timeout. */
export const COMPILE_TIMEOUT_MS = 120_000

/** Compiles the samples unless a previous build left them in public/samples. */
export async function ensureSamplesBuilt (): Promise<void> {
  if (!samplesAreBuilt()) await compileSamples()
}

export async function sampleBytes (id: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await readFile(join(DEFAULT_OUT_DIR, `${id}.wasm`)))
}
