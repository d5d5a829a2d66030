/**
 * The fuel meter keeps the figures it gave before its checks moved to
 * checkpoints and its count into a local (metering/instrument-body.ts):
 * completed runs, out-of-fuel runs at several budgets and non-fuel traps of
 * the samples and two WAT commands give the status, `fuelUsed`, memory
 * peak, stdout and files recorded in fuel-figures.json, which were taken with
 * the old meter (see fuel-figures.ts). Receipts carry these figures, and old
 * and new peers must agree as witnesses.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { compileMetered, FIGURES_FILE, type FuelFigure, type FuelRun, moduleBytes, runFigure, runFigureOn, sha256 } from './fuel-figures.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt } from './samples.ts'

const figures = JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as FuelFigure[]
const modules = [...new Set(figures.map(f => f.module))]
const TRAPPING = ['divides-by-zero', 'stores-out-of-bounds']

/** The figure's recorded outcome, with its budget to tell the rows apart in a failure. */
const recorded = ({ fuel, status, fuelUsed, memoryPeakBytes, stdoutSha256, filesSha256 }: FuelFigure): FuelRun & { fuel: number } =>
  ({ fuel, status, fuelUsed, memoryPeakBytes, stdoutSha256, filesSha256 })

/** The module's bytes and figures; undefined for a sample rebuilt into other bytes, whose figures say nothing about it. */
async function load (name: string): Promise<{ bytes: Uint8Array, own: FuelFigure[] } | undefined> {
  const bytes = await moduleBytes(name)
  const own = figures.filter(f => f.module === name)
  if (sha256(bytes) === own[0]?.moduleSha256) return { bytes, own }
  console.warn(`fuel-figures: ${name} was rebuilt (its sha256 differs from the recorded one); not compared`)
  return undefined
}

describe('fuel figures are those of the meter before checkpoints', () => {
  const pool = createNodeWorkerPool({ slots: 1 })
  beforeAll(ensureSamplesBuilt, COMPILE_TIMEOUT_MS)
  afterAll(() => { pool.stop() })

  it('the figures cover completed runs, out-of-fuel at many budgets, and traps', () => {
    const statuses = new Set(figures.map(f => f.status))
    expect([...statuses].sort()).toEqual(['exit', 'ok', 'out-of-fuel', 'trap'])
    expect(figures.filter(f => f.status === 'trap').map(f => f.module).sort()).toEqual([...TRAPPING, ...TRAPPING].sort())
  })

  it.each(modules)('%s, through the Node host (the fast meter, and the replay after a trap)', async (name) => {
    const loaded = await load(name)
    if (loaded === undefined) return
    for (const figure of loaded.own) {
      expect({ fuel: figure.fuel, ...await runFigureOn(pool, loaded.bytes, figure) }).toEqual(recorded(figure))
    }
  }, 300_000)

  it.each(modules)('%s, metered exactly at traps, in this thread', async (name) => {
    const loaded = await load(name)
    if (loaded === undefined) return
    const module = await compileMetered(loaded.bytes, true)
    for (const figure of loaded.own) {
      expect({ fuel: figure.fuel, ...await runFigure(module, figure.moduleSha256, figure) }).toEqual(recorded(figure))
    }
  }, 300_000)

  it('the fast meter alone agrees on every run but a trap inside the module, where its global may lag', async () => {
    for (const name of TRAPPING) {
      const loaded = await load(name)
      if (loaded === undefined) continue
      const module = await compileMetered(loaded.bytes)
      for (const figure of loaded.own) {
        const run = await runFigure(module, figure.moduleSha256, figure)
        if (run.status === 'trap') {
          expect(run.fuelUsed).toBeLessThanOrEqual(figure.fuelUsed as number)
        } else {
          expect({ fuel: figure.fuel, ...run }).toEqual(recorded(figure))
        }
      }
    }
  })
})
