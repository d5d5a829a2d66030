/**
 * A ZeroStateApp with no network, for looking at the UI and for UI tests:
 * `demoState()` covers each kind of task card (done with a verified receipt
 * and output files, failed at its timeout with an unverified receipt, failed
 * out of fuel with a verified one, running), the three
 * transport badges and both history roles.
 */
import type { AppState, SubmitRequest, SubmitResult, TaskView, ZeroStateApp } from '../../../src/app/types.ts'
import { DEFAULT_FUEL } from '../../../src/core/limits.ts'
import type { ReceiptStatus } from '../../../src/trust/constants.ts'
import type { Receipt } from '../../../src/trust/receipt.ts'

const SELF = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const RELAY = '12D3KooWRelayxNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2'
// SELF, ALICE and BOB decode as PeerIds (base58btc has no 'l'), so the demo receipts pass parseReceipt's schema check.
const ALICE = '12D3KooWA1iceQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Ab'
const BOB = '12D3KooWBobbyQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Cd'

const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** filesHash of no files: SHA-256 of the text `[]` (docs/receipt-format.md §4). */
const EMPTY_FILES_HASH = '4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945'
/** base64url of the seed bytes 00 01 … 1f. */
const SEED = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8'

/** How a demo run ended, and the limits it had; everything else is the same for every demo receipt. */
export interface DemoRun {
  status?: ReceiptStatus
  /** Defaults to 0 for 'ok', 1 for 'exit', null for every other status. */
  exitCode?: number | null
  timeoutMs?: number
  durationMs?: number
  fuel?: number
  /** Defaults to null for 'timeout', else 12 345. */
  fuelUsed?: number | null
  moduleHash?: string
}

export function demoReceipt (taskId: string, executor: string, submitter: string, startedAt: number, run: DemoRun = {}): Receipt {
  const status = run.status ?? 'ok'
  const exitCode = run.exitCode !== undefined ? run.exitCode : status === 'ok' ? 0 : status === 'exit' ? 1 : null
  const fuelUsed = run.fuelUsed !== undefined ? run.fuelUsed : status === 'timeout' ? null : 12_345
  return {
    version: 2,
    taskId,
    moduleHash: run.moduleHash ?? '063231caf0b6ff62b0c295f70f85ed77bdc755603a1be73706535a95e00e3cae',
    inputHash: HASH,
    outputHash: HASH,
    stderrHash: HASH,
    args: [],
    env: [['LANG', 'C.UTF-8']],
    seed: SEED,
    inputFilesHash: EMPTY_FILES_HASH,
    outputFilesHash: EMPTY_FILES_HASH,
    status,
    exitCode,
    startedAt,
    durationMs: run.durationMs ?? 42,
    limits: { timeoutMs: run.timeoutMs ?? 30_000, memoryBytes: 64 * 1024 * 1024, fuel: run.fuel ?? DEFAULT_FUEL },
    fuelUsed,
    memoryPeakBytes: 2 * 65_536,
    executor,
    submitter,
    publicKey: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80',
    // 64 bytes ("signaturesignature…"), 86 characters: the right shape, but it verifies for nothing.
    signature: 'c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlcw'
  }
}

export function demoState (now = Date.now()): AppState {
  const text = new TextEncoder()
  return {
    peerId: SELF,
    status: 'online',
    statusDetail: 'connected to 1 relay',
    relayAddrs: [`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}`],
    peers: [
      { peerId: RELAY, transports: ['websocket'], isRelay: true, contributing: false, slots: 0 },
      { peerId: ALICE, transports: ['webrtc', 'relayed'], isRelay: false, contributing: true, slots: 2 },
      { peerId: BOB, transports: ['relayed'], isRelay: false, contributing: false, slots: 0 }
    ],
    contributing: true,
    slots: 2,
    maxSlots: 4,
    tasks: [
      {
        taskId: 'running-1',
        label: 'primes',
        phase: 'running',
        executor: ALICE,
        selection: 'fastest expected (Q-routing 42 ms) of 2 cards with 1 free slot',
        startedAt: now - 3200,
        elapsedMs: 3100,
        verified: false
      },
      {
        taskId: 'failed-1',
        label: 'forever',
        phase: 'failed',
        executor: BOB,
        startedAt: now - 20_000,
        verified: false,
        error: { name: 'TaskTimeoutError', message: 'the executor stopped the task at its 2000 ms timeout' },
        failedDuring: 'running',
        receipt: demoReceipt('failed-1', BOB, SELF, now - 20_000, {
          status: 'timeout',
          moduleHash: '95ddd2e7b59203076c97a28956a45cd7df7b873da8029925441715a4e44cb511',
          timeoutMs: 2000,
          durationMs: 2003,
          fuelUsed: null
        })
      },
      {
        taskId: 'failed-2',
        label: 'primes',
        phase: 'failed',
        executor: ALICE,
        verified: true,
        error: { name: 'OutOfFuelError', message: 'the task used its fuel budget of 1,000,000 instructions' },
        failedDuring: 'running',
        receipt: demoReceipt('failed-2', ALICE, SELF, now - 40_000, { status: 'out-of-fuel', fuel: 1_000_000, fuelUsed: 1_000_000, durationMs: 310 })
      },
      {
        taskId: 'done-1',
        label: 'echo',
        phase: 'done',
        executor: ALICE,
        result: {
          stdout: text.encode('Hello from ZeroState!\n'),
          stderr: new Uint8Array(),
          exitCode: 0,
          durationMs: 42,
          files: [['greeting.txt', text.encode('Hello from ZeroState!\n')], ['out/counts.csv', new Uint8Array(3482)]]
        },
        receipt: demoReceipt('done-1', ALICE, SELF, now - 60_000),
        verified: true
      }
    ],
    history: [
      { receipt: demoReceipt('done-1', ALICE, SELF, now - 60_000), role: 'submitter', label: 'echo', stdoutPreview: 'Hello from ZeroState!', storedAt: now - 59_000 },
      { receipt: demoReceipt('exec-7', SELF, BOB, now - 3_600_000), role: 'executor', label: 'sha256', stdoutPreview: HASH, storedAt: now - 3_599_000 }
    ],
    samples: [
      {
        id: 'echo',
        title: 'Echo',
        description: 'Copies stdin to stdout unchanged; useful to measure round-trip overhead.',
        url: 'samples/echo.wasm',
        sha256: '063231caf0b6ff62b0c295f70f85ed77bdc755603a1be73706535a95e00e3cae',
        defaultStdin: 'Hello from ZeroState!\n',
        defaultArgs: [],
        defaultTimeoutMs: 30_000
      },
      {
        id: 'forever',
        title: 'Runs forever',
        description: 'Spins in a loop that never ends, to show the executor killing a task at its timeout.',
        url: 'samples/forever.wasm',
        sha256: '95ddd2e7b59203076c97a28956a45cd7df7b873da8029925441715a4e44cb511',
        defaultStdin: '',
        defaultArgs: [],
        defaultTimeoutMs: 2000
      }
    ],
    tags: ['nlp'],
    cards: [
      { peerId: ALICE, name: 'ZeroState peer e2Ab', tags: ['nlp', 'text'], workerSlots: 2, memoryLimitBytes: 128 << 20, fuelPerMs: 412_000, warmModules: 3, visible: true, expiresAt: now + 240_000, reputation: 0.82, blacklisted: false },
      { peerId: BOB, name: 'ZeroState peer e2Cd', tags: ['crypto'], workerSlots: 1, memoryLimitBytes: 64 << 20, fuelPerMs: 198_000, warmModules: 1, visible: false, expiresAt: now + 120_000, reputation: 0.5, blacklisted: false }
    ],
    routing: {
      destinations: ['module:063231caf0b6', 'tag:crypto', 'tag:nlp'],
      peers: [ALICE, BOB],
      values: [[42, 310], [null, 95], [37, 880]]
    }
  }
}

/** Records what the UI asked for; `contribute` applies at once, `submit` adds a task that stays in 'preparing'. */
export class FakeZeroStateApp extends EventTarget implements ZeroStateApp {
  state: AppState
  readonly submitted: SubmitRequest[] = []

  constructor (state: AppState = demoState()) {
    super()
    this.state = state
  }

  setState (patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch }
    this.dispatchEvent(new Event('change'))
  }

  async contribute (on: boolean, slots = this.state.slots, options: { tags?: string[] } = {}): Promise<void> {
    this.setState({ contributing: on, slots, tags: options.tags ?? this.state.tags })
  }

  async submit (request: SubmitRequest): Promise<SubmitResult> {
    this.submitted.push(request)
    const task: TaskView = { taskId: `fake-${this.submitted.length}`, label: request.label ?? 'upload', phase: 'preparing', verified: false }
    this.setState({ tasks: [task, ...this.state.tasks] })
    return await new Promise<SubmitResult>(() => {})
  }
}
