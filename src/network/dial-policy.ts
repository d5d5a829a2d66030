/**
 * Whom a tab dials, and when: the decisions behind the peer mesh's dialling,
 * with no I/O (the clock and the randomness are given), so they can be
 * tested as they are.
 *
 * A presence announcement is a claim anyone can sign for an identity no
 * node runs, and every WebRTC dial spends one RTCPeerConnection of the few
 * hundred Chromium allows a tab over its life. So:
 * - a peer must first show it is real: a *probe* — a relayed connection
 *   that completes the noise handshake with its PeerId — which costs no
 *   RTCPeerConnection. Probes are rate-limited for the whole tab, a few at a
 *   time, and a peer whose probe failed waits (10 s doubling to 5 min)
 *   before it is probed again — unless it connects by itself;
 * - a WebRTC dial is only for a peer connected now (proven), at most
 *   `perPeer` per peer over the tab's life, with backoff after each failure;
 * - peers never reached directly share all but `reserve` of the budget, so
 *   strangers can never spend it all: what is left serves reconnections to
 *   peers this tab has known directly.
 *
 * @example
 * const policy = new DialPolicy({ now: Date.now, random: Math.random })
 * if (policy.probe(peer).ok) { try { await dialRelayed(peer); policy.probeDone(peer, true) } catch { policy.probeDone(peer, false) } }
 * if (policy.webrtc(peer).ok) { … policy.webrtcDone(peer, succeeded) }
 */
import { backoffDelay } from './backoff.ts'
import {
  MAX_TRACKED_PEERS, PROBE_BACKOFF_INITIAL_MS, PROBE_BACKOFF_MAX_MS, PROBE_CONCURRENCY, PROBE_RATE, WEBRTC_DIALS_PER_PEER,
  WEBRTC_DIALS_PER_TAB_LIFE, WEBRTC_RESERVED_FOR_KNOWN_PEERS
} from './constants.ts'
import { RateLimiter } from './rate-limit.ts'
import type { RateLimit } from './rate-limit.ts'

export interface DialPolicyInit {
  /** Milliseconds, monotonic enough for backoffs. */
  now(): number
  /** In [0, 1): jitter for backoffs, so a crowd of tabs does not retry in step. */
  random(): number
  /** RTCPeerConnections this tab may open over its life; default WEBRTC_DIALS_PER_TAB_LIFE. */
  budget?: number
  /** The part of `budget` only peers once directly connected may use; default WEBRTC_RESERVED_FOR_KNOWN_PEERS. */
  reserve?: number
  /** WebRTC dials to one peer over the tab's life; default WEBRTC_DIALS_PER_PEER. */
  perPeer?: number
  /** Probes for the whole tab; default PROBE_RATE. */
  probeRate?: RateLimit
  /** Probes at once; default PROBE_CONCURRENCY. */
  probeConcurrency?: number
  /** Peers whose history is kept; default MAX_TRACKED_PEERS. */
  maxTracked?: number
}

/** Why a dial was not made now. */
export type DialRefusal =
  | 'backoff' // this peer failed recently: not before `retryAt`
  | 'probing' // a probe of this peer is under way
  | 'busy' // PROBE_CONCURRENCY probes are under way
  | 'rate' // the tab's probe rate is spent
  | 'peer-budget' // this peer had its WebRTC dials
  | 'stranger-budget' // peers never reached directly spent their share
  | 'budget' // the tab's WebRTC budget is spent

export type DialDecision = { ok: true } | { ok: false, reason: DialRefusal, retryAt?: number }

export interface DialPolicyStats {
  /** Outbound WebRTC dials made. */
  webrtcDials: number
  /** Direct connections other peers opened to this tab (they cost an RTCPeerConnection too). */
  inboundWebrtc: number
  /** webrtcDials + inboundWebrtc, out of `budget`. */
  spent: number
  budget: number
  /** WebRTC dials to peers this tab had never reached directly. */
  strangerDials: number
  probes: {
    started: number
    succeeded: number
    failed: number
    inFlight: number
    /** How long probes took, ms, by outcome (when the caller timed them). */
    succeededMs: ProbeTimes
    failedMs: ProbeTimes
  }
  /** Dials not made, by reason. */
  refused: Record<DialRefusal, number>
  /** Peers whose history is kept. */
  tracked: number
}

export interface ProbeTimes {
  mean: number
  max: number
}

interface PeerHistory {
  probeFailures: number
  nextProbeAt: number
  probing: boolean
  /** Shown real (a probe or an authenticated connection) since its last failed probe. */
  reached: boolean
  webrtcDials: number
  webrtcFailures: number
  nextWebrtcAt: number
  /** Had a direct connection with this tab at some point. */
  everDirect: boolean
}

export class DialPolicy {
  private readonly init: DialPolicyInit
  private readonly peers = new Map<string, PeerHistory>()
  private readonly probeLimiter: RateLimiter
  private readonly budget: number
  private readonly reserve: number
  private readonly perPeer: number
  private readonly probeConcurrency: number
  private readonly maxTracked: number
  private webrtcDials = 0
  private inboundWebrtc = 0
  private strangerDials = 0
  private probesInFlight = 0
  private readonly probes = { started: 0, succeeded: 0, failed: 0 }
  private readonly probeMs = { succeeded: { total: 0, count: 0, max: 0 }, failed: { total: 0, count: 0, max: 0 } }
  private readonly refused: Record<DialRefusal, number> = {
    backoff: 0, probing: 0, busy: 0, rate: 0, 'peer-budget': 0, 'stranger-budget': 0, budget: 0
  }

  constructor (init: DialPolicyInit) {
    this.init = init
    this.budget = init.budget ?? WEBRTC_DIALS_PER_TAB_LIFE
    this.reserve = Math.min(this.budget, init.reserve ?? WEBRTC_RESERVED_FOR_KNOWN_PEERS)
    this.perPeer = init.perPeer ?? WEBRTC_DIALS_PER_PEER
    this.probeConcurrency = init.probeConcurrency ?? PROBE_CONCURRENCY
    this.maxTracked = init.maxTracked ?? MAX_TRACKED_PEERS
    // One bucket for the whole tab: probes are not per announcer, since announcers are free to make.
    this.probeLimiter = new RateLimiter({ ...(init.probeRate ?? PROBE_RATE), maxKeys: 1, now: init.now })
  }

  /** Whether to probe `peerId` now (a relayed dial to prove it real); on ok the caller must report probeDone. */
  probe (peerId: string): DialDecision {
    const peer = this.history(peerId)
    const now = this.init.now()
    if (peer.probing) return this.refuse('probing')
    if (now < peer.nextProbeAt) return this.refuse('backoff', peer.nextProbeAt)
    if (this.probesInFlight >= this.probeConcurrency) return this.refuse('busy')
    if (!this.probeLimiter.take('tab')) return this.refuse('rate')
    peer.probing = true
    this.probesInFlight++
    this.probes.started++
    return { ok: true }
  }

  /** `ms`: how long the probe took, for stats. */
  probeDone (peerId: string, reached: boolean, ms?: number): void {
    const peer = this.history(peerId)
    if (peer.probing) {
      peer.probing = false
      this.probesInFlight--
    }
    if (ms !== undefined) {
      const times = reached ? this.probeMs.succeeded : this.probeMs.failed
      times.total += ms
      times.count++
      times.max = Math.max(times.max, ms)
    }
    if (reached) {
      this.probes.succeeded++
      this.reached(peer)
      return
    }
    this.probes.failed++
    peer.reached = false
    peer.nextProbeAt = this.init.now() + this.probeBackoff(peer.probeFailures++)
  }

  /**
   * Whether to spend a WebRTC dial on `peerId` now. The caller asks only for
   * a peer it is connected to (proven); on ok the dial is counted at once and
   * the caller must report webrtcDone.
   */
  webrtc (peerId: string): DialDecision {
    const peer = this.history(peerId)
    const now = this.init.now()
    if (this.spent() >= this.budget) return this.refuse('budget')
    if (peer.webrtcDials >= this.perPeer) return this.refuse('peer-budget')
    if (now < peer.nextWebrtcAt) return this.refuse('backoff', peer.nextWebrtcAt)
    if (!peer.everDirect && this.strangerDials >= this.budget - this.reserve) return this.refuse('stranger-budget')
    peer.webrtcDials++
    this.webrtcDials++
    if (!peer.everDirect) this.strangerDials++
    return { ok: true }
  }

  webrtcDone (peerId: string, direct: boolean): void {
    const peer = this.history(peerId)
    if (direct) {
      peer.webrtcFailures = 0
      peer.nextWebrtcAt = 0
      peer.everDirect = true
      this.reached(peer)
      return
    }
    peer.nextWebrtcAt = this.init.now() + backoffDelay(peer.webrtcFailures++, this.init.random)
  }

  /**
   * A connection to `peerId` completed its handshake (either side opened
   * it): the peer is real. `direct` and `inbound`: the other side opened a
   * WebRTC connection to this tab, which spent one of its RTCPeerConnections.
   */
  connected (peerId: string, how: { direct: boolean, inbound: boolean }): void {
    const peer = this.history(peerId)
    this.reached(peer)
    if (!how.direct) return
    peer.everDirect = true
    if (how.inbound) this.inboundWebrtc++
  }

  /** The last probe of `peerId` failed and it has not been reached since: not worth offering work to. */
  unreachable (peerId: string): boolean {
    const peer = this.peers.get(peerId)
    return peer !== undefined && peer.probeFailures > 0 && !peer.reached
  }

  /** Whether any RTCPeerConnection may still be opened (by this tab, or accepted from another). */
  hasBudget (): boolean {
    return this.spent() < this.budget
  }

  stats (): DialPolicyStats {
    return {
      webrtcDials: this.webrtcDials,
      inboundWebrtc: this.inboundWebrtc,
      spent: this.spent(),
      budget: this.budget,
      strangerDials: this.strangerDials,
      probes: { ...this.probes, inFlight: this.probesInFlight, succeededMs: summary(this.probeMs.succeeded), failedMs: summary(this.probeMs.failed) },
      refused: { ...this.refused },
      tracked: this.peers.size
    }
  }

  private spent (): number {
    return this.webrtcDials + this.inboundWebrtc
  }

  private reached (peer: PeerHistory): void {
    peer.reached = true
    peer.probeFailures = 0
    peer.nextProbeAt = 0
  }

  private probeBackoff (failures: number): number {
    const cap = Math.min(PROBE_BACKOFF_MAX_MS, PROBE_BACKOFF_INITIAL_MS * 2 ** failures)
    return Math.round(cap * (0.75 + this.init.random() / 4))
  }

  private refuse (reason: DialRefusal, retryAt?: number): DialDecision {
    this.refused[reason]++
    return retryAt === undefined ? { ok: false, reason } : { ok: false, reason, retryAt }
  }

  /** The peer's history, most recently used last; the least recently used is forgotten past maxTracked (never one being probed). */
  private history (peerId: string): PeerHistory {
    let peer = this.peers.get(peerId)
    if (peer !== undefined) {
      this.peers.delete(peerId)
    } else {
      peer = { probeFailures: 0, nextProbeAt: 0, probing: false, reached: false, webrtcDials: 0, webrtcFailures: 0, nextWebrtcAt: 0, everDirect: false }
    }
    this.peers.set(peerId, peer)
    if (this.peers.size > this.maxTracked) {
      for (const [id, old] of this.peers) {
        if (old.probing) continue
        this.peers.delete(id)
        break
      }
    }
    return peer
  }
}

function summary (times: { total: number, count: number, max: number }): ProbeTimes {
  return { mean: times.count === 0 ? 0 : Math.round(times.total / times.count * 10) / 10, max: Math.round(times.max * 10) / 10 }
}
