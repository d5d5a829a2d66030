/**
 * Misbehaviour for end-to-end tests of the trust layer, compiled only into
 * the test-hooks build (`vite build --mode test-hooks`, dist-test-hooks/):
 * in every other build `__ZEROSTATE_TEST_HOOKS__` is false and this code is
 * dropped. A page of that build opened with `?cheat=corrupt-output` is an
 * executor that signs receipts over corrupted stdout — what a witness must
 * catch; with `?cheat=wrong-key` it signs its receipts with a key that is not
 * its PeerId's — what every submitter must refuse; with `?cheat=stale-close`
 * it closes channels alone on an older co-signed state, one it paid less in —
 * what the other party must beat with its newer one. Every page of that
 * build also has `window.__zerostateTest` (below): the tab's Web Worker
 * sandbox, to run a module with what `zerostate run` can give it (mounts,
 * no `/work`) — for the WASI test suite in Chromium.
 */
import { sha256Hex } from '../core/hash.ts'
import { DEFAULT_FUEL, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, TASK_SEED_BYTES } from '../core/limits.ts'
import { createIdentity } from '../crypto/identity.ts'
import type { PeerIdentity } from '../crypto/identity.ts'
import type { ExecutionResult, TaskInput, TaskLimits, TaskRunner } from '../execution/types.ts'
import { WorkerPool } from '../execution/worker-pool.ts'
import type { ZeroStateStore } from '../peer/store.ts'

declare const __ZEROSTATE_TEST_HOOKS__: boolean

/** A run for `window.__zerostateTest.runWasi`: a TaskInput's fields (all optional) and limits. */
export interface TestWasiRun extends Partial<TaskInput> {
  limits?: Partial<TaskLimits>
  /**
   * The module's SHA-256 (lowercase hex) when the caller knows it, as an
   * executor does from the request: not hashed again here (bench:sandbox
   * times the pool alone). The pool still checks it on its first compile.
   */
  moduleHash?: string
}

/** What the test-hooks build adds to a page, as `window.__zerostateTest`. */
export interface ZeroStateTestApi {
  /**
   * Runs `module` in this tab's sandbox — a WorkerPool (two slots) of the
   * browser's sandbox Web Workers, the same code that runs tasks for other
   * peers — with `run`'s input (default: no args, no env, empty stdin, no
   * files, a zero seed; `mounts` and `preopenWork` as `zerostate run --dir`
   * sets them) and limits (default: the sandbox's). Resolves and rejects as
   * `WorkerPool.run`.
   */
  runWasi(module: Uint8Array, run?: TestWasiRun): Promise<ExecutionResult>
}

declare global {
  interface Window {
    /** Only in the test-hooks build (src/app/test-hooks.ts). */
    __zerostateTest?: ZeroStateTestApi
  }
}

function installTestApi (): void {
  let pool: WorkerPool | undefined
  window.__zerostateTest = {
    async runWasi (module, run = {}) {
      pool ??= new WorkerPool({ slots: 2 })
      const { limits, moduleHash, ...given } = run
      const input: TaskInput = { args: [], env: [], stdin: new Uint8Array(0), files: [], seed: new Uint8Array(TASK_SEED_BYTES), ...given }
      return pool.run(moduleHash ?? sha256Hex(module), module, input, {
        timeoutMs: DEFAULT_TIMEOUT_MS, memoryLimitBytes: DEFAULT_MEMORY_LIMIT_BYTES, fuel: DEFAULT_FUEL, ...limits
      })
    }
  }
}

// Only in the test-hooks build; `typeof` first: unit tests import this module in Node, where nothing defines the flag.
if (typeof __ZEROSTATE_TEST_HOOKS__ !== 'undefined' && __ZEROSTATE_TEST_HOOKS__) installTestApi()

/** The misbehaviour asked for, only ever in the test-hooks build. */
function cheat (): string | null {
  return __ZEROSTATE_TEST_HOOKS__ ? new URLSearchParams(location.search).get('cheat') : null
}

/** The identity this tab's executor signs receipts with: its own, or in the cheating test build a stranger's. */
export async function executorIdentity (identity: PeerIdentity): Promise<PeerIdentity> {
  return cheat() === 'wrong-key' ? createIdentity() : identity
}

/** The runner this tab's executor uses: the sandbox itself, or in the cheating test build one that flips the first output byte. */
export function executorRunner (runner: TaskRunner): TaskRunner {
  if (cheat() !== 'corrupt-output') return runner
  return {
    async run (moduleHash, module, input, limits, options) {
      const result = await runner.run(moduleHash, module, input, limits, options)
      const stdout = result.stdout.byteLength === 0 ? Uint8Array.of(0x21) : result.stdout.slice()
      stdout[0] = (stdout[0] ?? 0) ^ 0x01
      return { ...result, stdout }
    }
  }
}

/** In the cheating test build, rolls a channel back to the state before its last payment, so a close posts that one. */
export async function beforeUnilateralClose (store: ZeroStateStore, channelId: string): Promise<void> {
  if (cheat() !== 'stale-close') return
  const channel = await store.getChannel(channelId)
  const older = (await store.listPayments()).find(p => p.channelId === channelId && p.sequence === (channel?.latest.state.sequence ?? 0) - 1)
  if (channel !== undefined && older !== undefined) await store.saveChannel({ ...channel, latest: older.state })
}
