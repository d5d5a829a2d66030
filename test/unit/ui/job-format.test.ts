import { describe, expect, it } from 'vitest'
import type { JobView } from '../../../src/app/index.ts'
import { jobForecastLine, jobProgress, jobResultsJsonLines } from '../../../src/ui/job-format.ts'

const job = (patch: Partial<JobView> = {}): JobView => ({
  jobId: 'job-12345678-abcd',
  label: 'lang-detect',
  state: 'working',
  status: { state: 'working', total: 4, distributed: 2, computed: 1, failed: 0, running: 1, pending: 2, retries: 0 } as JobView['status'],
  inputs: 100,
  results: [],
  resultCount: 0,
  executors: 0,
  startedAt: 1_000,
  ...patch
})

describe('jobProgress', () => {
  it('estimates the time left from the rate so far, only once there is one', () => {
    expect(jobProgress(job(), 11_000)).toEqual({ done: 0, total: 100, fraction: 0, elapsedMs: 10_000 })
    expect(jobProgress(job({ resultCount: 25 }), 11_000)).toEqual({ done: 25, total: 100, fraction: 0.25, elapsedMs: 10_000, etaMs: 30_000 })
  })

  it('stops the clock and gives no estimate once the job is over', () => {
    expect(jobProgress(job({ resultCount: 100, state: 'completed', finishedAt: 5_000 }), 99_000)).toEqual({ done: 100, total: 100, fraction: 1, elapsedMs: 4_000 })
    expect(jobProgress(job({ resultCount: 40, state: 'canceled', finishedAt: 5_000 }), 99_000).etaMs).toBeUndefined()
  })
})

describe('jobResultsJsonLines', () => {
  it('writes one line per result so far, in order, with its output or its error', () => {
    const results = [
      { index: 0, output: '{"language":"eng"}', executor: 'A', taskId: 't-0' },
      { index: 1, error: 'quarantined: lost', executor: undefined },
      { index: 2, output: 'not yet counted' }
    ]
    expect(jobResultsJsonLines(job({ results, resultCount: 2 }))).toBe(
      '{"index":0,"output":"{\\"language\\":\\"eng\\"}","executor":"A","taskId":"t-0"}\n{"index":1,"error":"quarantined: lost"}\n')
  })
})

describe('jobForecastLine', () => {
  it('says the price, the time, the spread and what it assumes', () => {
    const line = jobForecastLine({ price: 2500, durationMs: 4200, fuel: 3.2e9, perExecutor: [], inputs: 1000, slices: 20, sampleFuel: 160_000_000, executors: 2, unknownExecutors: 1 })
    expect(line).toBe('About 0.0025 units (2,500 µ) and 4.20 s of compute: 1,000 inputs in 20 tasks on 2 executors (1 more without an Agent Card yet), ' +
      '3.2 G fuel if every task is as heavy as the first (160,000,000 fuel, run here).')
  })
})
