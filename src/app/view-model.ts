/**
 * The app's view state: one immutable `AppState` replaced by patches, and a
 * `change` event soon after it changed (many updates make one event, and
 * events come at most ten times a second, so the UI redraws at most that often).
 */
import { DEFAULT_TRACING } from './tracing-settings.ts'
import { DEFAULT_CHECK_RATES } from '../trust/witness/index.ts'
import { FREE_PRICES } from '../receipts/pricing/index.ts'
import type { AppState, JobView, TaskView, WorkflowView } from './types.ts'

/** Shortest time between two `change` events: the view follows the peer ten times a second. */
const CHANGE_INTERVAL_MS = 100
/** The wait before the first `change` after a quiet spell: about a frame, so that a burst of updates makes one. */
const FRAME_MS = 16

export class ViewModel extends EventTarget {
  state: AppState
  private changeQueued = false
  /** performance.now() of the last `change` event. */
  private changedAt = -Infinity

  constructor (slots: number, maxSlots: number) {
    super()
    this.state = {
      peerId: '',
      status: 'starting',
      statusDetail: 'opening local storage',
      relayAddrs: [],
      peers: [],
      contributing: false,
      slots,
      maxSlots,
      tasks: [],
      jobs: [],
      workflows: [],
      agents: [],
      planner: null,
      guildInvites: false,
      guildStepPrice: null,
      guilds: [],
      splits: [],
      tracing: { ...DEFAULT_TRACING },
      history: [],
      samples: [],
      tags: [],
      cards: [],
      routing: { destinations: [], peers: [], values: [] },
      ledger: { channels: [], payments: [], settlements: [], attestations: [], reports: [], reputation: [] },
      prices: { ...FREE_PRICES },
      witnessRates: { ...DEFAULT_CHECK_RATES }
    }
  }

  update (patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch }
    if (this.changeQueued) return
    this.changeQueued = true
    // At most one redraw per CHANGE_INTERVAL_MS, the first after a quiet spell a frame later. A task's phases
    // (offered, running, verified, kept) come in separate turns a few milliseconds apart, and tasks back to back
    // come every ~15 ms: a redraw of every section for each cost the submitter's main thread more than the task
    // itself, and delayed the next task's stream (bench:roundtrip). A hidden tab's timers run about once a second.
    const wait = Math.max(FRAME_MS, this.changedAt + CHANGE_INTERVAL_MS - performance.now())
    setTimeout(() => {
      this.changeQueued = false
      this.changedAt = performance.now()
      this.dispatchEvent(new Event('change'))
    }, wait)
  }

  updateWorkflow (runId: string, patch: Partial<WorkflowView>): void {
    this.update({ workflows: this.state.workflows.map(run => run.runId === runId ? { ...run, ...patch } : run) })
  }

  updateJob (jobId: string, patch: Partial<JobView>): void {
    this.update({ jobs: this.state.jobs.map(job => job.jobId === jobId ? { ...job, ...patch } : job) })
  }

  updateTask (taskId: string, patch: Partial<TaskView>): void {
    this.update({ tasks: this.state.tasks.map(task => task.taskId === taskId ? { ...task, ...patch } : task) })
  }
}
