/**
 * The app's view state: one immutable `AppState` replaced by patches, and a
 * `change` event at the next frame after it changed (many updates make one
 * event, so the UI redraws at most once per frame).
 */
import { DEFAULT_TRACING } from './tracing-settings.ts'
import { DEFAULT_CHECK_RATES } from '../trust/witness/index.ts'
import { FREE_PRICES } from '../receipts/pricing/index.ts'
import type { AppState, JobView, TaskView, WorkflowView } from './types.ts'

/** Longest wait for a `change` event where no frame comes (a hidden tab, Node): the timer's. */
const CHANGE_FALLBACK_MS = 50

export class ViewModel extends EventTarget {
  state: AppState
  private changeQueued = false

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
    const change = (): void => {
      if (!this.changeQueued) return
      this.changeQueued = false
      this.dispatchEvent(new Event('change'))
    }
    // One redraw per frame at most: a task's phases (offered, running, verified, kept) come in separate turns of the
    // same few milliseconds, and a redraw of every section for each cost the submitter's main thread more than the
    // task itself (bench:roundtrip). A hidden tab runs no frames; the timer draws it about once a second there.
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(change)
    setTimeout(change, CHANGE_FALLBACK_MS)
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
