/**
 * The lang-detect corpus as job inputs, and what lang-detect answers for
 * them in Node's own sandbox — what every executor on the mesh must answer.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256Hex } from '../../src/core/hash.ts'
import { createNodeWorkerPool } from '../../src/execution/node-host.node.ts'

const ROOT = join(import.meta.dirname, '..', '..')

/** `count` lines of the lang-detect corpus, each numbered so that every input is distinct. */
export async function corpusLines (count: number): Promise<string[]> {
  const corpus = (await readFile(join(ROOT, 'test/fixtures/lang-detect-corpus.txt'), 'utf8')).split('\n').map(l => l.replace(/\r$/, '')).filter(l => l !== '')
  return Array.from({ length: count }, (_, i) => `${corpus[i % corpus.length]!} ${i}`)
}

/** lang-detect --lines over `lines` in Node's own sandbox, one output line per input. */
export async function langDetectHere (lines: string[]): Promise<string[]> {
  const pool = createNodeWorkerPool({ slots: 1 })
  try {
    const module = new Uint8Array(await readFile(join(ROOT, 'src/workloads/lang-detect/lang-detect.wasm')))
    const run = await pool.run(sha256Hex(module), module, { args: ['--lines'], env: [], stdin: new TextEncoder().encode(lines.join('\n') + '\n'), files: [], seed: new Uint8Array(32) }, { timeoutMs: 60_000, memoryLimitBytes: 50 << 20, fuel: 1e11 })
    return new TextDecoder().decode(run.stdout).trimEnd().split('\n')
  } finally {
    pool.stop()
  }
}
