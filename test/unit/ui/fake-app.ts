/**
 * A ZeroStateApp with no network, for looking at the UI and for UI tests:
 * `demoState()` covers each kind of task card (done with a verified receipt,
 * failed, running), the three transport badges and both history roles.
 */
import type { AppState, SubmitRequest, SubmitResult, TaskView, ZeroStateApp } from '../../../src/app/types.ts'
import type { Receipt } from '../../../src/trust/receipt.ts'

const SELF = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const RELAY = '12D3KooWRelayxNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2'
const ALICE = '12D3KooWAliceQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Ab'
const BOB = '12D3KooWBobbyQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Cd'

const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

export function demoReceipt (taskId: string, executor: string, submitter: string, startedAt: number): Receipt {
  return {
    version: 1,
    taskId,
    moduleHash: '063231caf0b6ff62b0c295f70f85ed77bdc755603a1be73706535a95e00e3cae',
    inputHash: HASH,
    outputHash: HASH,
    stderrHash: HASH,
    args: [],
    exitCode: 0,
    startedAt,
    durationMs: 42,
    timeoutMs: 30_000,
    memoryLimitBytes: 64 * 1024 * 1024,
    executor,
    submitter,
    publicKey: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80',
    signature: 'c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl'
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
      { taskId: 'running-1', label: 'primes', phase: 'running', executor: ALICE, startedAt: now - 3200, elapsedMs: 3100, verified: false },
      {
        taskId: 'failed-1',
        label: 'forever',
        phase: 'failed',
        executor: BOB,
        verified: false,
        error: { name: 'TaskTimeoutError', message: 'the executor stopped the task at its 2000 ms timeout' }
      },
      {
        taskId: 'done-1',
        label: 'echo',
        phase: 'done',
        executor: ALICE,
        result: { stdout: text.encode('Hello from ZeroState!\n'), stderr: new Uint8Array(), exitCode: 0, durationMs: 42 },
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
    ]
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

  async contribute (on: boolean, slots = this.state.slots): Promise<void> {
    this.setState({ contributing: on, slots })
  }

  async submit (request: SubmitRequest): Promise<SubmitResult> {
    this.submitted.push(request)
    const task: TaskView = { taskId: `fake-${this.submitted.length}`, label: request.label ?? 'upload', phase: 'preparing', verified: false }
    this.setState({ tasks: [task, ...this.state.tasks] })
    return await new Promise<SubmitResult>(() => {})
  }
}
