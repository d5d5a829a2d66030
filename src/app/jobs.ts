/**
 * `window.zerostate.job(...)` and `estimateJob(...)` in a tab: the peer's
 * jobs (src/peer/jobs.ts — checked, spread over the mesh, each kept slice
 * paid for and kept in the history), with the job's card kept up to date
 * from the runner's events.
 */
import type { JobItemResult, JobRunner, JobRunStatus } from '../orchestration/jobs/index.ts'
import { estimateJobRun as estimatePeerJob, startJob as startPeerJob } from '../peer/jobs.ts'
import type { LocalSandbox } from './local-sandbox.ts'
import type { PeerSession } from './session.ts'
import type { JobForecast, JobRequest, JobView } from './types.ts'
import type { ViewModel } from './view-model.ts'

/** Jobs of this session kept on screen. */
const SESSION_JOBS_LIMIT = 10

/** What a job would cost and take, before it runs: its first slice run in this tab's own sandbox, the executors' Agent Cards. */
export async function estimateJobRun (session: PeerSession, local: LocalSandbox, request: JobRequest, signal?: AbortSignal): Promise<JobForecast> {
  return estimatePeerJob(session, async (task, options) => local.run(task, options), request, signal)
}

export async function startJob (view: ViewModel, session: PeerSession, request: JobRequest): Promise<JobRunner> {
  const { runner } = await startPeerJob(session, request, { onStarted: ({ runner, label, inputs }) => { showJob(view, runner, label, inputs) } })
  return runner
}

/** Keeps the job's card up to date from its events: status, results as they are released, the end. */
function showJob (view: ViewModel, runner: JobRunner, label: string, inputs: number): void {
  const results: JobItemResult[] = []
  const executors = new Set<string>()
  const job: JobView = {
    jobId: runner.jobId, label, state: 'working', status: runner.status(), inputs, results, resultCount: 0, executors: 0, startedAt: Date.now()
  }
  view.update({ jobs: [job, ...view.state.jobs].slice(0, SESSION_JOBS_LIMIT) })
  runner.addEventListener('status', event => {
    const status = (event as unknown as { detail: JobRunStatus }).detail
    view.updateJob(runner.jobId, { status, state: status.state })
  })
  runner.addEventListener('result', event => {
    const result = (event as unknown as { detail: JobItemResult }).detail
    results.push(result)
    if (result.executor !== undefined) executors.add(result.executor)
    view.updateJob(runner.jobId, { resultCount: results.length, executors: executors.size })
  })
  runner.results().then(
    () => { view.updateJob(runner.jobId, { finishedAt: Date.now(), status: runner.status(), state: runner.status().state }) },
    (err: Error) => { view.updateJob(runner.jobId, { finishedAt: Date.now(), status: runner.status(), state: runner.status().state, error: { name: err.name, message: err.message } }) }
  )
}
