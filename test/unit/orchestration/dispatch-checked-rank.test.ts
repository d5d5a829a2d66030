/**
 * Executors ranked by checked work (issue 16, "reputation that counts checked
 * work only"): the real TaskDispatch ranking and auction, the real
 * ReputationService, VerificationService, TaskVerification and
 * TaskAccountability, between real libp2p nodes in Node (websockets on
 * loopback, noise, yamux) and the real sandbox. A camouflaged cheater runs
 * its first tasks honestly, then corrupts its sandbox's output before it
 * signs (its receipt verifies; its result is wrong). Payments, reports and
 * witnesses are recorded rather than made. Each case runs with Agent Cards
 * (rankExecutors) and without (contributing peers whose cards have not
 * arrived yet).
 */
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { signAgentCard } from '../../../src/discovery/index.ts'
import type { AgentCard } from '../../../src/discovery/index.ts'
import type { TaskDispatch } from '../../../src/orchestration/dispatch/index.ts'
import { validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import type { ReputationService } from '../../../src/trust/reputation/index.ts'
import type { VerificationService } from '../../../src/trust/verification/index.ts'
import { exampleFields } from '../discovery/fixtures.ts'
import { checkedMeshSuite } from '../../support/checked-mesh.ts'
import type { ExecutorPeer } from '../../support/checked-mesh.ts'
import { rejection } from '../../support/rejection.ts'
import { wireOffer } from '../../support/task-offer.ts'

const DAY_MS = 24 * 60 * 60 * 1000
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

interface RankedPeer extends ExecutorPeer { card: AgentCard }

let unchecked: RankedPeer
let honest: RankedPeer

const mesh = checkedMeshSuite(['echo'], async () => {
  unchecked = await executorNode(Infinity)
  honest = await executorNode(Infinity)
})
const echo = (): Uint8Array<ArrayBuffer> => mesh.modules.echo

/**
 * An executor node that also bids (every bid the same price and time, so an
 * auction is decided by reputation); `honestRuns` of its tasks run honestly,
 * the rest have their output corrupted before it signs (Infinity: honest).
 * Stopped after all tests, or after this one with `perTest`.
 */
async function executorNode (honestRuns: number, perTest = false): Promise<RankedPeer> {
  const peer = await mesh.executor({ honestRuns, perTest, quote: () => ({ price: 500, expectedMs: 100 }) })
  return { ...peer, card: await signAgentCard(exampleFields(peer.identity, { warmModules: [] }), peer.identity) }
}

interface Submitter {
  dispatch: TaskDispatch
  reputation: ReputationService
  verification: VerificationService
  paid: Receipt[]
  /** Moves the reputation book's clock (the blacklist's expiry). */
  advance(ms: number): void
  /** Runs a task (on `executor` if named, else the best ranked), checked unless `check` is false; resolves with who ran it. */
  submit(stdin: string, options?: { executor?: string, check?: boolean }): Promise<string>
  offer(stdin: string): ValidOffer
}

/**
 * A fresh submitter dialled to every executor (the mesh lists them in
 * `order`), with empty books. Its router learns nothing, so every executor's
 * expected time is the same and the ranking is decided by reputation. Every
 * task is checked (the draw is 0): with nobody confirmed 8 times, by its own
 * re-run.
 */
async function submitter (withCards: boolean, order: RankedPeer[]): Promise<Submitter> {
  let clock = Date.now()
  const cards = new Map(withCards ? order.map(({ peerId, card }) => [peerId, card]) : [])
  const { dispatch, verifier, reputation, verification, paid } = await mesh.submitter(order, { random: () => 0, now: () => clock, cards })
  const requirements = { moduleHash: sha256Hex(echo()) }
  const offer = (stdin: string): ValidOffer => validateOffer(wireOffer(echo(), stdin))
  return {
    dispatch,
    reputation,
    verification,
    paid,
    offer,
    advance: ms => { clock += ms },
    submit: async (stdin, { executor, check = true } = {}) => {
      const task = offer(stdin)
      const { outcome } = await dispatch.runOnce(task, echo(), requirements, executor === undefined ? {} : { executor })
      if (!check) return outcome.receipt.executor
      const verified = await verifier.verify(outcome, task, echo(), requirements)
      await verified.payments
      expect(text(verified.outcome.stdout)).toBe(stdin)
      return outcome.receipt.executor
    }
  }
}

const ranking = async (s: Submitter): Promise<string[]> =>
  (await s.dispatch.chooseExecutors({ moduleHash: sha256Hex(echo()) }, Number.MAX_SAFE_INTEGER, undefined, 1)).map(choice => choice.peerId)

describe.each([
  ['with Agent Cards', true],
  ['without Agent Cards', false]
])('executors ranked by checked work, %s', (_, withCards) => {
  it('never chooses a cheater again once a check caught it, even after the reputation book\'s blacklisting has expired', async () => {
    const cheater = await executorNode(3, true) // its own: it counts its runs
    const s = await submitter(withCards, [cheater, unchecked, honest])
    // Its honest start is checked work, and lifts it to the top.
    for (let i = 0; i < 3; i++) expect(await s.submit(`honest start ${i}`, { executor: cheater.peerId })).toBe(cheater.peerId)
    expect(s.verification.book.record(cheater.peerId)).toMatchObject({ confirmed: 3, contradicted: 0 })
    expect((await ranking(s))[0]).toBe(cheater.peerId)
    expect(s.dispatch.standing(cheater.peerId).score).toBeCloseTo(4 / 5, 6)

    // Chosen on its record, it cheats, and the submitter's own re-run catches it.
    const err = await rejection(s.submit('the first cheat'))
    expect(err.name).toBe('ResultContradictedError')
    expect((err.receipt as Receipt).executor).toBe(cheater.peerId)
    // Paid for its three honest tasks, never for the cheat (its payment was held for the check).
    expect(s.paid.filter(r => r.executor === cheater.peerId)).toHaveLength(3)
    expect(s.verification.book.record(cheater.peerId).contradicted).toBe(1)
    expect(s.dispatch.standing(cheater.peerId)).toEqual({ score: 0, blacklisted: true })

    for (let i = 0; i < 4; i++) expect(await s.submit(`after the cheat ${i}`)).not.toBe(cheater.peerId)
    expect(await ranking(s)).not.toContain(cheater.peerId)

    // A day later the reputation book forgives it; the ranking does not.
    s.advance(DAY_MS + 60_000)
    expect(s.reputation.book.isBlacklisted(cheater.peerId)).toBe(false)
    expect(await ranking(s)).not.toContain(cheater.peerId)
    for (let i = 0; i < 3; i++) expect(await s.submit(`a day later ${i}`)).not.toBe(cheater.peerId)
    // Nor may it win an auction: it is not even asked.
    const award = await s.dispatch.auction(s.offer('auction'), { moduleHash: sha256Hex(echo()) }, { candidates: 3, windowMs: 1000, reputationFloor: 0 })
    expect(award.peerId).not.toBe(cheater.peerId)
  }, 120_000)

  it('gives no rank for unchecked successes: one checked confirmation outranks many, in the ranking and in an auction', async () => {
    const s = await submitter(withCards, [unchecked, honest])
    for (let i = 0; i < 15; i++) expect(await s.submit(`unchecked ${i}`, { executor: unchecked.peerId, check: false })).toBe(unchecked.peerId)
    expect(await s.submit('checked once', { executor: honest.peerId })).toBe(honest.peerId)
    // The reputation book, which counts every success, would rank the unchecked peer first…
    expect(s.reputation.book.score(unchecked.peerId)).toBeGreaterThan(0.75)
    expect(s.reputation.book.score(unchecked.peerId)).toBeGreaterThan(s.reputation.book.score(honest.peerId))
    // …the ranking gives it nothing for them.
    expect(s.dispatch.standing(unchecked.peerId)).toEqual({ score: 0.5, blacklisted: false })
    expect(s.dispatch.standing(honest.peerId).score).toBeCloseTo(2 / 3, 6)
    expect(await ranking(s)).toEqual([honest.peerId, unchecked.peerId])
    expect(await s.submit('best ranked')).toBe(honest.peerId)

    // Equal bids: the tie goes to the higher standing; a floor above neutral keeps the unchecked peer out.
    const tie = await s.dispatch.auction(s.offer('tie'), { moduleHash: sha256Hex(echo()) }, { candidates: 2, windowMs: 1000, reputationFloor: 0.3 })
    expect(tie.peerId).toBe(honest.peerId)
    const floored = await s.dispatch.auction(s.offer('floor'), { moduleHash: sha256Hex(echo()) }, { candidates: 2, windowMs: 1000, reputationFloor: 0.55 })
    expect(floored.peerId).toBe(honest.peerId)
    expect(floored.reason).toMatch(/the only eligible bid/)
  }, 120_000)
})
