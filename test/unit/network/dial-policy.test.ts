/**
 * The dial policy: probes before WebRTC dials, rate-limited and backed off;
 * WebRTC dials only within a per-peer cap and with backoff; strangers never
 * spend the reserve; the budget counts what other peers open too. Then the
 * attack that used to cut a tab off: fake identities announced for 25 s
 * through one connection, run against the policy with a simulated clock.
 */
import { describe, expect, it } from 'vitest'
import { DialPolicy } from '../../../src/network/dial-policy.ts'
import type { DialPolicyInit } from '../../../src/network/dial-policy.ts'
import {
  PROBE_BACKOFF_INITIAL_MS, PROBE_BACKOFF_MAX_MS, WEBRTC_DIALS_PER_PEER, WEBRTC_DIALS_PER_TAB_LIFE, WEBRTC_RESERVED_FOR_KNOWN_PEERS
} from '../../../src/network/constants.ts'

function setup (init: Partial<DialPolicyInit> = {}): { policy: DialPolicy, advance: (ms: number) => void, now: () => number } {
  let t = 5_000_000
  const now = (): number => t
  // random() = 0.5: backoffs in the middle of their jitter.
  return { policy: new DialPolicy({ now, random: () => 0.5, ...init }), advance: (ms) => { t += ms }, now }
}

describe('DialPolicy: probes', () => {
  it('probes a peer once at a time, and backs off after a failure, doubling up to the cap', () => {
    const { policy, advance, now } = setup()
    expect(policy.probe('p')).toEqual({ ok: true })
    expect(policy.probe('p')).toMatchObject({ ok: false, reason: 'probing' })
    policy.probeDone('p', false)
    expect(policy.unreachable('p')).toBe(true)
    const first = policy.probe('p')
    expect(first).toMatchObject({ ok: false, reason: 'backoff' })
    const wait = (first as { retryAt: number }).retryAt - now()
    expect(wait).toBeGreaterThanOrEqual(PROBE_BACKOFF_INITIAL_MS * 0.75)
    expect(wait).toBeLessThanOrEqual(PROBE_BACKOFF_INITIAL_MS)
    let previous = wait
    for (let i = 0; i < 12; i++) {
      advance(previous)
      expect(policy.probe('p').ok).toBe(true)
      policy.probeDone('p', false)
      const next = (policy.probe('p') as { retryAt: number }).retryAt - now()
      expect(next).toBeGreaterThanOrEqual(Math.min(previous, PROBE_BACKOFF_MAX_MS * 0.75))
      expect(next).toBeLessThanOrEqual(PROBE_BACKOFF_MAX_MS)
      previous = next
    }
  })

  it('forgets a failure once the peer is reached, by a probe or by connecting itself', () => {
    const { policy } = setup()
    policy.probe('p')
    policy.probeDone('p', false)
    policy.connected('p', { direct: false, inbound: true })
    expect(policy.unreachable('p')).toBe(false)
    expect(policy.probe('p').ok).toBe(true)
    policy.probeDone('p', true)
    expect(policy.stats().probes).toMatchObject({ started: 2, succeeded: 1, failed: 1, inFlight: 0 })
  })

  it('limits the probes of the whole tab: a burst, a rate, a few at once', () => {
    const { policy, advance } = setup({ probeRate: { burst: 4, perSecond: 1 }, probeConcurrency: 2 })
    expect(policy.probe('a').ok).toBe(true)
    expect(policy.probe('b').ok).toBe(true)
    expect(policy.probe('c')).toMatchObject({ ok: false, reason: 'busy' })
    policy.probeDone('a', false)
    policy.probeDone('b', false)
    expect(policy.probe('c').ok).toBe(true)
    policy.probeDone('c', false)
    expect(policy.probe('d').ok).toBe(true)
    policy.probeDone('d', false)
    expect(policy.probe('e')).toMatchObject({ ok: false, reason: 'rate' })
    advance(1000)
    expect(policy.probe('e').ok).toBe(true)
    expect(policy.stats().refused).toMatchObject({ busy: 1, rate: 1 })
  })
})

describe('DialPolicy: WebRTC', () => {
  it('backs off a peer after each failed dial and stops at the per-peer cap', () => {
    const { policy, advance, now } = setup()
    let dials = 0
    for (let i = 0; i < 100; i++) {
      const decision = policy.webrtc('p')
      if (decision.ok) {
        dials++
        policy.webrtcDone('p', false)
        continue
      }
      if (decision.reason === 'peer-budget') break
      expect(decision.reason).toBe('backoff')
      advance(decision.retryAt! - now())
    }
    expect(dials).toBe(WEBRTC_DIALS_PER_PEER)
    expect(policy.webrtc('p')).toMatchObject({ ok: false, reason: 'peer-budget' })
  })

  it('retries at once after a success (a dropped connection reconnects)', () => {
    const { policy } = setup()
    expect(policy.webrtc('p').ok).toBe(true)
    policy.webrtcDone('p', true)
    expect(policy.webrtc('p').ok).toBe(true)
  })

  it('keeps the reserve for peers it has known directly: strangers share the rest', () => {
    const { policy } = setup({ budget: 10, reserve: 4, perPeer: 1 })
    policy.webrtc('known')
    policy.webrtcDone('known', true)
    for (let i = 0; i < 20; i++) {
      if (policy.webrtc(`stranger-${i}`).ok) policy.webrtcDone(`stranger-${i}`, false)
    }
    // 'known' spent 1 of the strangers' 6 while it was one; 5 more strangers got a dial.
    expect(policy.stats()).toMatchObject({ webrtcDials: 6, strangerDials: 6 })
    expect(policy.webrtc('stranger-99')).toMatchObject({ ok: false, reason: 'stranger-budget' })
    expect(policy.hasBudget()).toBe(true)
    const again = setup({ budget: 10, reserve: 4, perPeer: 5 }).policy
    again.webrtc('known')
    again.webrtcDone('known', true)
    for (let i = 0; i < 20; i++) if (again.webrtc(`s${i}`).ok) again.webrtcDone(`s${i}`, false)
    // The known peer can still use the reserve.
    for (let i = 0; i < 4; i++) {
      expect(again.webrtc('known').ok).toBe(true)
      again.webrtcDone('known', true)
    }
    expect(again.webrtc('known')).toMatchObject({ ok: false, reason: 'budget' })
    expect(again.hasBudget()).toBe(false)
  })

  it('counts WebRTC connections other peers open toward the budget', () => {
    const { policy } = setup({ budget: 3 })
    policy.connected('a', { direct: true, inbound: true })
    policy.connected('b', { direct: true, inbound: true })
    policy.connected('c', { direct: false, inbound: true })
    expect(policy.stats()).toMatchObject({ inboundWebrtc: 2, spent: 2 })
    expect(policy.webrtc('a').ok).toBe(true)
    expect(policy.hasBudget()).toBe(false)
    expect(policy.webrtc('b')).toMatchObject({ ok: false, reason: 'budget' })
  })

  it('keeps the history of at most maxTracked peers', () => {
    const { policy } = setup({ maxTracked: 50 })
    for (let i = 0; i < 1000; i++) policy.connected(`p${i}`, { direct: false, inbound: true })
    expect(policy.stats().tracked).toBe(50)
  })
})

describe('DialPolicy under fake presence (the attack that used to spend the whole budget)', () => {
  /**
   * The old mesh dialled every /webrtc/ address of every announcement (16
   * each) with retries, counting each against WEBRTC_DIALS_PER_TAB_LIFE. Here
   * the mesh's decisions are replayed: 8 fake identities announce every
   * second for 25 s, then 400 more at once; each announcement asks for a
   * probe (which fails: nobody runs them) and never gets as far as WebRTC.
   * A real peer that arrives afterwards is probed, dialled and connected.
   */
  it('spends no WebRTC dial on identities nobody runs, and a real peer still gets one', () => {
    const { policy, advance } = setup()
    const fakes = Array.from({ length: 8 }, (_, i) => `fake-${i}`)
    let probesMade = 0
    const announce = (peer: string): void => {
      if (!policy.probe(peer).ok) return
      probesMade++
      policy.probeDone(peer, false)
    }
    for (let second = 0; second < 25; second++) {
      for (const fake of fakes) announce(fake)
      advance(1000)
    }
    for (let i = 0; i < 400; i++) announce(`burst-${i}`)
    const stats = policy.stats()
    expect(stats.webrtcDials).toBe(0)
    expect(stats.spent).toBe(0)
    // Each of the 8 was probed about every 10, 20 s…; the burst got the probe rate's allowance.
    expect(probesMade).toBeLessThan(8 * 3 + 16 + 2)
    advance(1000)
    expect(policy.probe('real').ok).toBe(true)
    policy.probeDone('real', true)
    expect(policy.webrtc('real').ok).toBe(true)
    policy.webrtcDone('real', true)
    expect(policy.stats()).toMatchObject({ webrtcDials: 1, spent: 1, budget: WEBRTC_DIALS_PER_TAB_LIFE })
    expect(WEBRTC_DIALS_PER_TAB_LIFE - WEBRTC_RESERVED_FOR_KNOWN_PEERS).toBeGreaterThan(0)
  })
})
