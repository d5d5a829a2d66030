/**
 * A ZeroStateApp with no network, for looking at the UI and for UI tests:
 * `demoState()` covers each kind of task card (done with a verified receipt
 * and output files, failed at its timeout with an unverified receipt, failed
 * out of fuel with a verified one, running), the three
 * transport badges and both history roles.
 */
import type { AppState, JobForecast, JobRequest, LedgerView, SubmitRequest, SubmitResult, TaskView, ZeroStateApp } from '../../../src/app/types.ts'
import type { ClosingChannel, Settlement, SignedChannelState } from '../../../src/economy/channel/index.ts'
import type { PaymentRecord } from '../../../src/app/index.ts'
import { DEFAULT_FUEL, DEFAULT_MAX_TOTAL_PRICE } from '../../../src/core/limits.ts'
import { chargeFor } from '../../../src/receipts/pricing/index.ts'
import type { ReceiptStatus } from '../../../src/receipts/constants.ts'
import type { Receipt } from '../../../src/receipts/types.ts'

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
/** The demo executors' asking prices, micro-units per 10^6 fuel, per second and per MiB. */
const DEMO_PRICES = { perMegaFuel: 100, perSecond: 50, perMb: 10 }

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
  const durationMs = run.durationMs ?? 42
  const memoryPeakBytes = 2 * 65_536
  // The charge the schema requires for these figures, so the demo receipts still pass parseReceipt.
  const charge = chargeFor(DEMO_PRICES, { fuel: fuelUsed, durationMs, memoryBytes: memoryPeakBytes }, DEFAULT_MAX_TOTAL_PRICE)
  return {
    version: 3,
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
    durationMs,
    limits: { timeoutMs: run.timeoutMs ?? 30_000, memoryBytes: 64 * 1024 * 1024, fuel: run.fuel ?? DEFAULT_FUEL },
    fuelUsed,
    memoryPeakBytes,
    price: { ...DEMO_PRICES, maxTotalPrice: DEFAULT_MAX_TOTAL_PRICE, charge },
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
    jobs: [],
    workflows: [],
    agents: [],
    planner: null,
    guildInvites: false,
    guildStepPrice: null,
    tracing: { enabled: true, otlpUrl: null },
    guilds: [{
      guildId: 'text-guild', name: 'Text guild', expiresAt: now + 600_000, expired: false, own: false,
      members: [{ peerId: ALICE, roles: ['text-stats'], agents: [] }, { peerId: BOB, roles: ['gzip'], agents: [] }]
    }],
    splits: [{
      runId: 'wf-demo', budget: 600, total: 600, method: 'exact', signer: ALICE, at: now - 60_000,
      shares: [{ member: ALICE, share: 300, payment: 300 }, { member: BOB, share: 300, payment: 300 }]
    }],
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
        category: 'tools',
        stdinKind: 'text',
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
        category: 'tools',
        stdinKind: 'text',
        url: 'samples/forever.wasm',
        sha256: '95ddd2e7b59203076c97a28956a45cd7df7b873da8029925441715a4e44cb511',
        defaultStdin: '',
        defaultArgs: [],
        defaultTimeoutMs: 2000
      }
    ],
    tags: ['nlp'],
    cards: [
      { peerId: ALICE, name: 'ZeroState peer e2Ab', tags: ['nlp', 'text'], workerSlots: 2, memoryLimitBytes: 128 << 20, fuelPerMs: 412_000, prices: DEMO_PRICES, warmModules: 3, visible: true, expiresAt: now + 240_000, reputation: 0.82, blacklisted: false, interfaces: [{ url: `/p2p/${ALICE}`, protocolBinding: 'ZEROSTATE-LIBP2P', protocolVersion: '1.0' }] },
      { peerId: BOB, name: 'ZeroState peer e2Cd', tags: ['crypto'], workerSlots: 1, memoryLimitBytes: 64 << 20, fuelPerMs: 198_000, prices: { perMegaFuel: 0, perSecond: 0, perMb: 0 }, warmModules: 1, visible: false, expiresAt: now + 120_000, reputation: 0.5, blacklisted: false, interfaces: [] }
    ],
    routing: {
      destinations: ['module:063231caf0b6', 'tag:crypto', 'tag:nlp'],
      peers: [ALICE, BOB],
      values: [[42, 310], [null, 95], [37, 880]]
    },
    ledger: demoLedger(now),
    prices: { ...DEMO_PRICES },
    witnessRates: { established: 0.05, newcomer: 0.5 }
  }
}

const SIG = { publicKey: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80', signature: 'c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlcw' }

/** A co-signed channel state of `a` (payer) and `b` (payee): `paid` moved from a to b so far. */
function demoChannelState (channelId: string, a: string, b: string, deposit: number, paid: number, sequence: number, at: number, final = false): SignedChannelState {
  return {
    state: { channelId, a, b, depositA: deposit, depositB: 0, balanceA: deposit - paid, balanceB: paid, sequence, final, at },
    signatures: { a: SIG, b: SIG }
  }
}

/**
 * The ledger's demo: an open channel this tab pays Alice through (one payment
 * and one refund, a payment pending), a settled one on which Bob paid this tab,
 * reputation with every badge and outcome, both verdicts and a report.
 */
export function demoLedger (now: number): LedgerView {
  const paid = demoReceipt('done-1', ALICE, SELF, now - 60_000)
  const refunded = demoReceipt('failed-2', ALICE, SELF, now - 40_000, { status: 'out-of-fuel', fuel: 1_000_000, fuelUsed: 1_000_000, durationMs: 310 })
  const earned = demoReceipt('exec-7', SELF, BOB, now - 3_600_000)
  const toAlice = demoChannelState('ch-alice-0001', SELF, ALICE, 1_000_000, 2_500, 2, now - 30_000)
  const fromBob = demoChannelState('ch-bob-0002', BOB, SELF, 500_000, 7_000, 3, now - 3_500_000, true)
  const settlement: Settlement = { channelId: 'ch-bob-0002', finalState: fromBob, mode: 'cooperative', settledAt: now - 3_400_000, by: BOB, publicKey: SIG.publicKey, signature: SIG.signature }
  const payments: PaymentRecord[] = [
    { channelId: 'ch-alice-0001', sequence: 2, direction: 'in', amount: 1_500, receipt: refunded, kind: 'refund', state: toAlice, at: now - 39_000 },
    { channelId: 'ch-alice-0001', sequence: 1, direction: 'out', amount: 4_000, receipt: paid, kind: 'payment', state: demoChannelState('ch-alice-0001', SELF, ALICE, 1_000_000, 4_000, 1, now - 59_000), at: now - 59_000 },
    { channelId: 'ch-bob-0002', sequence: 1, direction: 'in', amount: 7_000, receipt: earned, kind: 'payment', state: fromBob, at: now - 3_599_000 }
  ]
  const attestation = (witness: string, executor: string, taskId: string, verdict: 'agree' | 'disagree') => ({
    version: 1 as const, taskId, receiptHash: HASH, executor, submitter: SELF, witness, publicKey: SIG.publicKey, verdict,
    observed: { status: 'ok' as const, exitCode: 0, outputHash: HASH, stderrHash: HASH, outputFilesHash: EMPTY_FILES_HASH, fuelUsed: 12_345 },
    at: now - 50_000, signature: SIG.signature
  })
  return {
    channels: [
      {
        channelId: 'ch-alice-0001', peer: ALICE, side: 'a', latest: toAlice, status: 'open', updatedAt: now - 30_000,
        pending: { receipt: paid, kind: 'payment', direction: 'out', amount: 300, state: demoChannelState('ch-alice-0001', SELF, ALICE, 1_000_000, 2_800, 3, now - 20_000) }
      },
      { channelId: 'ch-bob-0002', peer: BOB, side: 'b', latest: fromBob, status: 'settled', settlement, updatedAt: now - 3_400_000 }
    ],
    payments,
    settlements: [settlement],
    attestations: [
      { attestation: attestation(BOB, ALICE, 'done-1', 'agree'), receivedAt: now - 50_000 },
      { attestation: attestation(BOB, ALICE, 'failed-2', 'disagree'), receivedAt: now - 35_000, resolution: 'witness-wrong' }
    ],
    reports: [
      { version: 1, reporter: BOB, publicKey: SIG.publicKey, subject: ALICE, outcome: 'success', taskId: 'bob-task-9', at: now - 70_000, signature: SIG.signature }
    ],
    reputation: [
      {
        peerId: ALICE, score: 0.82, network: 0.76, blacklisted: false, whitelisted: true,
        history: [{ outcome: 'timeout', at: now - 90_000 }, { outcome: 'success', at: now - 60_000 }, { outcome: 'success', at: now - 40_000 }]
      },
      { peerId: BOB, score: 0.21, blacklisted: true, whitelisted: false, history: [{ outcome: 'wrong-result', at: now - 80_000 }, { outcome: 'no-show', at: now - 70_000 }] }
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

  async contribute (
    on: boolean,
    slots = this.state.slots,
    options: { tags?: string[], prices?: AppState['prices'], witnessRates?: AppState['witnessRates'] } = {}
  ): Promise<void> {
    this.setState({
      contributing: on,
      slots,
      tags: options.tags ?? this.state.tags,
      prices: options.prices ?? this.state.prices,
      witnessRates: options.witnessRates ?? this.state.witnessRates
    })
  }

  readonly jobRequests: JobRequest[] = []
  readonly canceledJobs: string[] = []

  async job (request: JobRequest): Promise<void> {
    this.jobRequests.push(request)
  }

  cancelJob (jobId: string): void {
    this.canceledJobs.push(jobId)
  }

  readonly raisedBudgets: Array<[string, number]> = []

  raiseJobBudget (jobId: string, budget: number): void {
    this.raisedBudgets.push([jobId, budget])
  }

  readonly estimateRequests: JobRequest[] = []

  async estimateJob (request: JobRequest): Promise<JobForecast> {
    this.estimateRequests.push(request)
    return { price: 2500, durationMs: 4200, fuel: 3.2e9, perExecutor: [], inputs: 3, slices: 1, sampleFuel: 3.2e9, executors: 1, unknownExecutors: 0 }
  }

  async workflowRecord (runId: string): Promise<unknown> {
    return { kind: 'zerostate/workflow-record/1', runId }
  }

  readonly workflowRequests: Array<{ spec: string, inputs?: Record<string, unknown> }> = []

  async workflow (spec: string, inputs?: Record<string, unknown>): Promise<void> {
    this.workflowRequests.push({ spec, inputs })
  }

  async resumeWorkflow (runId: string): Promise<void> {
    this.workflowRequests.push({ spec: `resume ${runId}` })
  }

  async cancelWorkflow (runId: string): Promise<void> {
    this.workflowRequests.push({ spec: `cancel ${runId}` })
  }

  readonly closed: string[] = []

  /** Marks the channel settled; rejects for a channel it does not know. */
  async closeChannel (channelId: string): Promise<Settlement> {
    this.closed.push(channelId)
    const channel = this.state.ledger.channels.find((c) => c.channelId === channelId)
    if (channel === undefined) throw new Error(`no channel ${channelId}`)
    const settlement: Settlement = {
      channelId, finalState: channel.latest, mode: 'cooperative', settledAt: Date.now(), by: this.state.peerId, publicKey: SIG.publicKey, signature: SIG.signature
    }
    const channels = this.state.ledger.channels.map((c) => c.channelId === channelId ? { ...c, status: 'settled' as const, settlement, pending: undefined } : c)
    this.setState({ ledger: { ...this.state.ledger, channels, settlements: [settlement, ...this.state.ledger.settlements] } })
    return settlement
  }

  async closeChannelUnilaterally (channelId: string, challengePeriodMs = 24 * 60 * 60 * 1000): Promise<ClosingChannel> {
    this.closed.push(channelId)
    const channel = this.state.ledger.channels.find((c) => c.channelId === channelId)
    if (channel === undefined) throw new Error(`no channel ${channelId}`)
    const closing: ClosingChannel = { channelId, state: channel.latest, closer: this.state.peerId, startedAt: Date.now(), challengeEndsAt: Date.now() + challengePeriodMs }
    const channels = this.state.ledger.channels.map((c) => c.channelId === channelId ? { ...c, status: 'closing' as const, closing } : c)
    this.setState({ ledger: { ...this.state.ledger, channels } })
    return closing
  }

  configurePlanner (): void {
    throw new RangeError('no planner in the demo')
  }

  async planWorkflow (): Promise<never> {
    throw new RangeError('no planner in the demo')
  }

  configureGuilds (options: { acceptInvites?: boolean, stepPrice?: number | null }): void {
    this.setState({
      ...(options.acceptInvites === undefined ? {} : { guildInvites: options.acceptInvites }),
      ...(options.stepPrice === undefined ? {} : { guildStepPrice: options.stepPrice })
    })
  }

  async configureTracing (settings: { enabled?: boolean, otlpUrl?: string | null }): Promise<AppState['tracing']> {
    const tracing = { enabled: settings.enabled ?? this.state.tracing.enabled, otlpUrl: settings.otlpUrl === undefined ? this.state.tracing.otlpUrl : settings.otlpUrl }
    this.setState({ tracing })
    return tracing
  }

  shareMetrics (on?: boolean): boolean {
    if (on !== undefined) this.setState({ shareMetrics: on })
    return this.state.shareMetrics === true
  }

  async formGuild (): Promise<never> {
    throw new RangeError('no guilds in the demo: no other peer can sign')
  }

  async runAgent (ref: string): Promise<SubmitResult> {
    throw new RangeError(`no agent ${ref} in the demo`)
  }

  whitelist (peerId: string, on: boolean): void {
    const reputation = this.state.ledger.reputation.map((r) => r.peerId === peerId ? { ...r, whitelisted: on, blacklisted: on ? false : r.blacklisted } : r)
    this.setState({ ledger: { ...this.state.ledger, reputation } })
  }

  async submit (request: SubmitRequest): Promise<SubmitResult> {
    this.submitted.push(request)
    const task: TaskView = { taskId: `fake-${this.submitted.length}`, label: request.label ?? 'upload', phase: 'preparing', verified: false }
    this.setState({ tasks: [task, ...this.state.tasks] })
    return await new Promise<SubmitResult>(() => {})
  }
}
