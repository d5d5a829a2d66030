/**
 * A run's view of the memo: the key a unit's task is kept under, which kept
 * results the run may reuse, and keeping a new one. The memo outlives runs,
 * and runs differ in whether they check (docs/trust-and-payments.md §3): an
 * entry says whether a checking run kept it, and a run that checks reuses
 * only those — a result kept by a run with `verify: false`, or by a release
 * from before results were checked, is run (and checked) again. A run that
 * does not check reuses either: it would have taken the same result unchecked.
 */
import { bytesToHex } from '../../../core/index.ts'
import { memoKey } from '../scheduler/index.ts'
import type { StepAction } from '../scheduler/index.ts'
import type { MemoizedOutputs, WorkflowRunnerComponents } from './types.ts'

export class StepMemo {
  readonly #components: Pick<WorkflowRunnerComponents, 'memo' | 'blobs'>
  readonly #seed: string
  readonly #checkedOnly: boolean

  /** `checkedOnly`: the run checks its tasks, so only results a checking run kept are reused. */
  constructor (components: Pick<WorkflowRunnerComponents, 'memo' | 'blobs'>, seed: Uint8Array, checkedOnly: boolean) {
    this.#components = components
    this.#seed = bytesToHex(seed)
    this.#checkedOnly = checkedOnly
  }

  /**
   * The memo key of a unit's task (`task`: the action with its agent's
   * defaults), or undefined for a step with `memoize: false`. It names the
   * module by its hash, not by a sample id whose bytes may change between
   * releases, and a reading step's context by the hash of the bytes it is given.
   */
  keyOf (action: StepAction, task: StepAction, moduleHash: string, contextHash: string | undefined): string | undefined {
    if (action.memoKey === undefined) return undefined
    return memoKey({ ...task, module: `sha256:${moduleHash}`, seed: this.#seed, ...(contextHash === undefined ? {} : { contextHash }) })
  }

  /** The outputs kept under `key` that this run may reuse, with all their blobs still stored; otherwise undefined (a miss: the step runs). */
  async reusable (key: string): Promise<MemoizedOutputs | undefined> {
    const { memo, blobs } = this.#components
    const found = await memo.get(key)
    if (found === undefined || (this.#checkedOnly && found.checked !== true)) return undefined
    for (const hash of [found.stdoutHash, ...Object.values(found.files)]) {
      if (await blobs.get(hash) === undefined) return undefined
    }
    return { stdout: found.stdout, stdoutHash: found.stdoutHash, files: { ...found.files }, receiptHash: found.receiptHash, checked: found.checked === true }
  }

  /** Keeps `outputs` under `key`, marked with whether this run's check kept them; replaces what was there. */
  async keep (key: string, outputs: MemoizedOutputs): Promise<void> {
    await this.#components.memo.put(key, outputs)
  }
}
