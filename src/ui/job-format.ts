/**
 * What a job's card says about its progress, computed from its view: pure,
 * unit-tested (test/unit/ui/job-format.test.ts).
 */
import type { JobForecast, JobView } from '../app/index.ts'
import { formatCount, formatDuration, formatMicroUnits } from './view-format.ts'

export interface JobProgress {
  /** Inputs with a result (or a quarantine error), of all. */
  done: number
  total: number
  /** 0–1. */
  fraction: number
  /** Milliseconds left at the rate so far, when there is a rate to go by and the job is still working. */
  etaMs?: number
  elapsedMs: number
}

export function jobProgress (job: JobView, now: number): JobProgress {
  const done = job.resultCount
  const total = job.inputs
  const elapsedMs = (job.finishedAt ?? now) - job.startedAt
  const fraction = total === 0 ? 1 : Math.min(1, done / total)
  const working = job.finishedAt === undefined && (job.state === 'working' || job.state === 'paused')
  // The rate is only known once some results are in; before that an estimate would be a guess.
  const etaMs = working && done > 0 && done < total && elapsedMs > 0 ? Math.round((elapsedMs / done) * (total - done)) : undefined
  return { done, total, fraction, elapsedMs, ...(etaMs === undefined ? {} : { etaMs }) }
}

/** The job's results as JSON Lines: one {"index", "output" | "error", "executor", "taskId"} per input, in input order. */
export function jobResultsJsonLines (job: JobView): string {
  return job.results.slice(0, job.resultCount).map(result => JSON.stringify({
    index: result.index,
    ...(result.error === undefined ? { output: result.output } : { error: result.error }),
    ...(result.executor === undefined ? {} : { executor: result.executor }),
    ...(result.taskId === undefined ? {} : { taskId: result.taskId })
  })).join('\n') + '\n'
}

/** A job's forecast in one line, as the submit form shows it before the job starts. */
export function jobForecastLine (forecast: JobForecast): string {
  const fuel = forecast.fuel >= 1e9 ? `${(forecast.fuel / 1e9).toFixed(1)} G` : forecast.fuel >= 1e6 ? `${(forecast.fuel / 1e6).toFixed(1)} M` : formatCount(forecast.fuel)
  const left = forecast.unknownExecutors === 0 ? '' : ` (${forecast.unknownExecutors} more without an Agent Card yet)`
  return `About ${formatMicroUnits(forecast.price)} and ${formatDuration(forecast.durationMs)} of compute: ` +
    `${formatCount(forecast.inputs)} inputs in ${formatCount(forecast.slices)} tasks on ${forecast.executors} executor${forecast.executors === 1 ? '' : 's'}${left}, ` +
    `${fuel} fuel if every task is as heavy as the first (${formatCount(forecast.sampleFuel)} fuel, run here).`
}
