/**
 * This tab's part in checking the mesh's work. As a submitter it announces
 * the receipts it accepted, with the task's input, on RECEIPT_TOPIC. As a
 * witness (while contributing) it picks announced receipts to re-run —
 * newcomers and low scores more often (trust/witness/selection.ts) — fetches
 * the module from the announcer if it lacks it, re-runs the task in its own
 * sandbox and publishes a signed attestation on ATTESTATION_TOPIC. When a
 * witness disputes a receipt of this tab's own task, this tab settles it with
 * a third execution of its own: whichever of executor and witness it
 * contradicts is shown wrong.
 */
import type { GossipSub } from '@libp2p/gossipsub'
import { base64UrlToBytes, bytesToBase64Url, bytesToUtf8, canonicalize, noopLogger, utf8ToBytes, warnOn } from '../../core/index.ts'
import type { Logger } from '../../core/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import type { TaskRunner } from '../../execution/types.ts'
import type { BulkConnectionTo, ProtocolRegistrar } from '../../network/components.ts'
import { TopicChannel, accept } from '../../network/topic-channel.ts'
import type { TraceRecorder } from '../../network/tracing/index.ts'
import { parseTraceparent } from '../../core/tracing/index.ts'
import { MAX_ATTESTATION_BYTES, aboutReceipt, observedRun, signAttestation, verdictOf, verifyAttestation } from '../../receipts/attestation/index.ts'
import type { Attestation, ObservedRun } from '../../receipts/attestation/index.ts'
import { receiptHash } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { ModuleStore } from '../../storage/index.ts'
import { MAX_ANNOUNCEMENT_BYTES, announceable, encodeAnnouncement, parseAnnouncement, verifyAnnouncement } from './announcement.ts'
import type { TaskMaterial } from './announcement.ts'
import { ANNOUNCEMENT_RATE, ATTESTATION_TOPIC, KEPT_TASKS, MAX_QUEUED_CHECKS, RECEIPT_TOPIC, SEEN_KEYS } from './constants.ts'
import { fetchModule, moduleServer } from '../../network/module-fetch/index.ts'
import type { ModuleServer } from '../../network/module-fetch/index.ts'
import type { AttestationRecord, AttestationStore } from './records.ts'
import { shouldCheck } from './selection.ts'
import type { CheckRates, ExecutorStanding } from './selection.ts'

export interface WitnessServiceComponents {
  identity: PeerIdentity
  store: ModuleStore & Omit<AttestationStore, 'listAttestations'>
  registrar: ProtocolRegistrar
  pubsub: GossipSub
  /**
   * Used only to fetch a module from its announcer, of a size not known
   * beforehand: a bulk connection (PeerMesh.bulkConnectionTo), since a module
   * larger than a relayed connection's data limit is cut off on it.
   */
  connectionTo: BulkConnectionTo
  /** Runs a re-execution; the witness's work shares the contributed worker slots. */
  runner: TaskRunner
  logger?: Logger
  /** Records a re-run as a span under the announcement's traceparent (docs/tracing.md §2); none: no spans. */
  tracer?: TraceRecorder
}

export interface WitnessServiceInit {
  isContributing(): boolean
  rates(): CheckRates
  standing(peerId: string): ExecutorStanding
  /** A dispute about this tab's task was settled by its own re-run. */
  onResolved(outcome: DisputeOutcome): void
  /** A witness other than this tab re-ran this tab's task and agreed with the executor. */
  onConfirmed(attestation: Attestation): void
  /** Any announced receipt the topic's validator verified, whether or not this tab re-runs it (what the mesh saw run). */
  onReceiptSeen?(receipt: Receipt, receiptHash: string): void
  /** Any attestation the topic's validator verified, whoever it concerns. */
  onAttestationSeen?(attestation: Attestation): void
  onChange?(): void
}

export interface DisputeOutcome {
  receipt: Receipt
  /** Who the third execution showed wrong. */
  wrong: 'executor' | 'witness'
  attestation: Attestation
  /** This tab's own attestation of its re-run. */
  own: Attestation
}

export class WitnessService {
  private readonly components: WitnessServiceComponents
  private readonly init: WitnessServiceInit
  private readonly logger: Logger
  private readonly receipts: TopicChannel
  private readonly attestations: TopicChannel
  private readonly modules: ModuleServer
  private running = false
  private queued = 0
  /** Modules of receipts this peer announced (the newest KEPT_TASKS): the only ones it serves to witnesses. */
  private readonly announcedModules = new Set<string>()
  /** Receipts already checked or disputed here, so a repeated announcement or attestation is handled once; the newest only. */
  private readonly seen = new Set<string>()

  constructor (components: WitnessServiceComponents, init: WitnessServiceInit) {
    this.components = components
    this.init = init
    this.logger = components.logger ?? noopLogger
    this.modules = moduleServer({ shares: hash => this.announcedModules.has(hash) })(components)
    // Both topics are checked in full before gossipsub forwards a message (schema, signatures, sender =
    // signer, input hashes), so what is not valid reaches neither this tab's witness nor any other tab.
    this.receipts = new TopicChannel<TaskMaterial>(components.pubsub, {
      topic: RECEIPT_TOPIC,
      maxMessageBytes: MAX_ANNOUNCEMENT_BYTES,
      rate: ANNOUNCEMENT_RATE,
      validate: async message => {
        const material = parseAnnouncement(JSON.parse(bytesToUtf8(message.data)))
        await verifyAnnouncement(material, message.from.toString())
        return accept(material)
      },
      onMessage: (material, message) => { this.onAnnouncement(message.from.toString(), material).catch(warnOn(this.logger, 'an announced receipt was not checked')) },
      logger: this.logger
    })
    this.attestations = new TopicChannel<Attestation>(components.pubsub, {
      topic: ATTESTATION_TOPIC,
      maxMessageBytes: MAX_ATTESTATION_BYTES,
      validate: async message => accept(await verifyAttestation(JSON.parse(bytesToUtf8(message.data)), { now: Date.now(), from: message.from.toString() })),
      onMessage: attestation => { this.onAttestation(attestation).catch(warnOn(this.logger, 'an attestation could not be acted on')) },
      logger: this.logger
    })
  }

  /** Serves modules, listens for announcements and attestations. Safe to call twice. */
  async start (): Promise<void> {
    if (this.running) return
    this.running = true
    await this.modules.start()
    this.receipts.start()
    this.attestations.start()
  }

  /** Safe to call twice. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    this.receipts.stop()
    this.attestations.stop()
    await this.modules.stop()
  }

  /**
   * When `announce` and the input is small enough: keeps the task's input and
   * module (so a dispute can be settled by a re-run here, after a reload too)
   * and publishes the receipt with the input for witnesses. Resolves false
   * when nothing was announced.
   */
  async afterTask (material: TaskMaterial, module: Uint8Array<ArrayBuffer>, announce: boolean): Promise<boolean> {
    if (!announce || !announceable(material.stdin, material.files)) return false
    const { store } = this.components
    // Witnesses that lack the module fetch it from the announcer (MODULE_FETCH_PROTOCOL).
    if (!(await store.hasModule(material.receipt.moduleHash))) await store.putModule(material.receipt.moduleHash, module)
    await store.putTaskInput({ receiptHash: receiptHash(material.receipt), ...material, storedAt: Date.now() }, KEPT_TASKS)
    this.shareModule(material.receipt.moduleHash)
    return this.receipts.publish(utf8ToBytes(JSON.stringify(encodeAnnouncement(material))))
  }

  /** A verified announcement (the channel's validator checked it): re-run it if this witness picks it. */
  private async onAnnouncement (from: string, material: TaskMaterial): Promise<void> {
    const self = this.components.identity.peerId.toString()
    const { receipt } = material
    const hash = receiptHash(receipt)
    this.init.onReceiptSeen?.(receipt, hash)
    if (!this.init.isContributing()) return
    if (this.seen.has(hash)) return
    if (!shouldCheck(receipt, self, this.init.standing(receipt.executor), this.init.rates(), Math.random)) return
    if (this.queued >= MAX_QUEUED_CHECKS) return
    if (!this.firstTime(hash)) return
    this.queued++
    try {
      const check = async (): Promise<void> => {
        const module = await this.moduleFor(receipt.moduleHash, from)
        // An honest re-run needs exactly the fuel the executor claims (fuel is counted per instruction), so a
        // witness never spends more than that: a receipt that claims too little runs out and is disputed.
        const observed = await this.rerun(material, module, Math.min(receipt.limits.fuel, receipt.fuelUsed ?? receipt.limits.fuel))
        await this.publish(await this.attest(receipt, observed))
      }
      // Under the submitter's traceparent when it sent one: the check joins the task's trace, kept by this witness.
      const { tracer } = this.components
      if (material.traceparent === undefined || tracer?.enabled !== true) await check()
      else await tracer.within('witness check', parseTraceparent(material.traceparent), check, { 'zerostate.task_id': receipt.taskId })
    } finally {
      this.queued--
    }
  }

  /** A verified attestation (the channel's validator checked it, and that its witness sent it). */
  private async onAttestation (attestation: Attestation): Promise<void> {
    const self = this.components.identity.peerId.toString()
    this.init.onAttestationSeen?.(attestation)
    // Only what concerns this tab is kept: the whole mesh's attestations would grow the store without end.
    if (attestation.submitter !== self && attestation.executor !== self) return
    await this.keep(attestation)
    if (attestation.submitter !== self || attestation.witness === self) return
    if (attestation.verdict === 'agree') {
      this.init.onConfirmed(attestation)
      return
    }
    if (!this.firstTime(`dispute:${attestation.receiptHash}`)) return
    const input = await this.components.store.getTaskInput(attestation.receiptHash)
    const module = input === undefined ? undefined : await this.components.store.getModule(input.receipt.moduleHash)
    if (input === undefined || module === undefined) return
    const material: TaskMaterial = { receipt: input.receipt, stdin: new Uint8Array(input.stdin), files: input.files.map(([path, bytes]) => [path, new Uint8Array(bytes)]) }
    // The third execution: this tab's own, in its own sandbox, from the very input it sent.
    const observed = await this.rerun(material, new Uint8Array(module))
    const mine = await this.attest(material.receipt, observed)
    await this.publish(mine)
    const withWitness = canonicalize(observed) === canonicalize(attestation.observed)
    const withExecutor = verdictOf(material.receipt, observed) === 'agree'
    if (withWitness === withExecutor) return
    // Judged first, then recorded: whoever reads the resolution finds the culprit already blacklisted.
    this.init.onResolved({ receipt: material.receipt, wrong: withWitness ? 'executor' : 'witness', attestation, own: mine })
    await this.keep(attestation, withWitness ? 'executor-wrong' : 'witness-wrong')
  }

  /** Serves `hash` to witnesses from now on: the announcement is about to make it public. */
  private shareModule (hash: string): void {
    this.announcedModules.delete(hash)
    this.announcedModules.add(hash)
    if (this.announcedModules.size > KEPT_TASKS) this.announcedModules.delete(this.announcedModules.values().next().value as string)
  }

  /** True the first time `key` is seen (of the last SEEN_KEYS keys). */
  private firstTime (key: string): boolean {
    if (this.seen.has(key)) return false
    this.seen.add(key)
    if (this.seen.size > SEEN_KEYS) this.seen.delete(this.seen.values().next().value as string)
    return true
  }

  private async moduleFor (hash: string, announcer: string): Promise<Uint8Array<ArrayBuffer>> {
    const held = await this.components.store.getModule(hash)
    if (held !== undefined) return new Uint8Array(held)
    const module = await fetchModule(await this.components.connectionTo(announcer, {}), hash)
    await this.components.store.putModule(hash, module)
    return module
  }

  /** Re-runs the receipt's task with its limits, or with at most `fuel` when given. */
  private async rerun (material: TaskMaterial, module: Uint8Array<ArrayBuffer>, fuel = material.receipt.limits.fuel): Promise<ObservedRun> {
    const { receipt, stdin, files } = material
    const result = await this.components.runner.run(receipt.moduleHash, module,
      { args: receipt.args, env: receipt.env, stdin, files, seed: base64UrlToBytes(receipt.seed) },
      { timeoutMs: receipt.limits.timeoutMs, memoryLimitBytes: receipt.limits.memoryBytes, fuel })
    return observedRun(result)
  }

  private async attest (receipt: Receipt, observed: ObservedRun): Promise<Attestation> {
    const { identity } = this.components
    return signAttestation({
      ...aboutReceipt(receipt),
      witness: identity.peerId.toString(),
      publicKey: bytesToBase64Url(identity.publicKey),
      verdict: verdictOf(receipt, observed),
      observed,
      at: Date.now()
    }, identity)
  }

  private async publish (attestation: Attestation): Promise<void> {
    await this.keep(attestation)
    await this.attestations.publish(utf8ToBytes(JSON.stringify(attestation)))
  }

  private async keep (attestation: Attestation, resolution?: AttestationRecord['resolution']): Promise<void> {
    await this.components.store.addAttestation({ attestation, receivedAt: Date.now(), ...(resolution === undefined ? {} : { resolution }) })
    this.init.onChange?.()
  }
}
