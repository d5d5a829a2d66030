/**
 * Trust and money in real Chromium: tabs pay each other for tasks over
 * payment channels whose states survive a reload, and a cheating executor (the
 * test-hooks build, which signs receipts over corrupted output) is caught by a
 * witness that re-runs its work, shown wrong by the submitter's own re-run,
 * refunded from and blacklisted.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { ARTIFACTS, startHarness, waitForDirect, waitOnline } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'
import type { ReceiptPaymentRecord } from '../../src/economy/payments/index.ts'

const PRICES = { perMegaFuel: 1000, perSecond: 0, perMb: 10 }
const MAX_TOTAL_PRICE = 50_000

async function submitTo (page: Page, executor: string, stdin: string): Promise<{ taskId: string, charge: number, stdout: string }> {
  return page.evaluate(async ({ executor, stdin, maxTotalPrice }) => {
    const result = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin, executor, maxTotalPrice })
    return { taskId: result.receipt.taskId, charge: result.receipt.price.charge, stdout: new TextDecoder().decode(result.stdout) }
  }, { executor, stdin, maxTotalPrice: MAX_TOTAL_PRICE })
}

/** The open channel `page` holds with `peer` as payer ('a') or payee ('b'), as its ledger shows it. */
async function channelWith (page: Page, peer: string, side: 'a' | 'b'): Promise<{ channelId: string, sequence: number, balanceA: number, balanceB: number, payments: number } | undefined> {
  return page.evaluate(async ({ peer, side }) => {
    const ledger = await window.zerostate.ledger()
    const channel = ledger.channels.find(c => c.peer === peer && c.side === side && c.status === 'open')
    if (channel == null) return undefined
    const { sequence, balanceA, balanceB } = channel.latest.state
    return { channelId: channel.channelId, sequence, balanceA, balanceB, payments: ledger.payments.filter(p => p.channelId === channel.channelId).length }
  }, { peer, side })
}

describe('trust and money between tabs', () => {
  let harness: Harness
  let alice: Peer
  let bob: Peer
  let witness: Peer
  let cheater: Peer

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    harness = await startHarness()
    alice = await harness.openPeer()
    bob = await harness.openPeer()
    witness = await harness.openPeer()
    cheater = await harness.openPeer({ testHooks: true, query: '?cheat=corrupt-output' })
    await bob.page.evaluate(async (prices) => { await window.zerostate.contribute(true, 1, { prices, witnessRates: { established: 0, newcomer: 0 } }) }, PRICES)
    await alice.page.evaluate(async (prices) => { await window.zerostate.contribute(true, 1, { prices, witnessRates: { established: 0, newcomer: 0 } }) }, PRICES)
    await witness.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { witnessRates: { established: 1, newcomer: 1 } }) })
    await cheater.page.evaluate(async (prices) => { await window.zerostate.contribute(true, 1, { prices, witnessRates: { established: 0, newcomer: 0 } }) }, PRICES)
    for (const peer of [bob, witness, cheater]) await waitForDirect(alice.page, peer.peerId, 90_000)
    await waitForDirect(witness.page, alice.peerId, 90_000)
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('pays the executor of each task with the next co-signed channel state; both tabs hold the same state', async () => {
    const first = await submitTo(alice.page, bob.peerId, 'one')
    expect(first.stdout).toBe('one')
    expect(first.charge).toBeGreaterThan(0)
    expect(first.charge).toBeLessThanOrEqual(MAX_TOTAL_PRICE)
    // The ledger waits for the payment under way (at most its batch window behind the result): a task
    // submitted after that is paid by a state of its own, not batched with this one.
    expect(await channelWith(alice.page, bob.peerId, 'a')).toMatchObject({ sequence: 1, payments: 1, balanceB: first.charge })
    const second = await submitTo(alice.page, bob.peerId, 'two')
    const mine = await channelWith(alice.page, bob.peerId, 'a')
    expect(mine).toMatchObject({ sequence: 2, payments: 2 })
    expect(mine!.balanceB).toBe(first.charge + second.charge)
    await expect.poll(async () => channelWith(bob.page, alice.peerId, 'b'), { timeout: 10_000 }).toEqual(mine)
  })

  it('pays the other way too: the executor becomes the submitter on a channel of its own', async () => {
    await submitTo(bob.page, alice.peerId, 'back')
    const bobs = await channelWith(bob.page, alice.peerId, 'a')
    expect(bobs).toMatchObject({ sequence: 1, payments: 1 })
    expect(await channelWith(alice.page, bob.peerId, 'b')).toEqual(bobs)
  })

  it('loses no channel state across reloads of either tab, and goes on from it', async () => {
    const before = await channelWith(alice.page, bob.peerId, 'a')
    const policy = { halfLifeMs: 3 * 24 * 3600 * 1000, blacklistThreshold: 0.25 }
    await alice.page.evaluate(async (policy) => { await window.zerostate.setReputationPolicy(policy) }, policy)
    const refused = await alice.page.evaluate(async () => window.zerostate.setReputationPolicy({ blacklistThreshold: 2 }).then(() => null, (err: Error) => err.name))
    expect(refused).toBe('InvalidReputationOptionsError')
    await alice.page.reload()
    await waitOnline(alice.page)
    await bob.page.reload()
    await waitOnline(bob.page)
    await bob.page.evaluate(async (prices) => { await window.zerostate.contribute(true, 1, { prices }) }, PRICES)
    expect(await channelWith(alice.page, bob.peerId, 'a')).toEqual(before)
    expect(await alice.page.evaluate(() => window.zerostate.reputationPolicy())).toEqual(policy)
    await waitForDirect(alice.page, bob.peerId, 90_000)
    await submitTo(alice.page, bob.peerId, 'three')
    const after = await channelWith(alice.page, bob.peerId, 'a')
    expect(after).toMatchObject({ channelId: before!.channelId, sequence: before!.sequence + 1, payments: before!.payments + 1 })
    await expect.poll(async () => channelWith(bob.page, alice.peerId, 'b'), { timeout: 10_000 }).toEqual(after)
    await showSection(alice.page, 'ledger')
    await alice.page.screenshot({ path: join(ARTIFACTS, 'trust-ledger.png'), fullPage: true })
  })

  it('awards a task by sealed bids: the cheapest eligible bidder wins at the second-lowest price, which becomes the budget', async () => {
    for (const peer of [bob, witness, cheater]) await waitForDirect(alice.page, peer.peerId, 90_000)
    const result = await alice.page.evaluate(async (maxTotalPrice) => {
      const r = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin: 'bid', auction: { candidates: 3, windowMs: 5000 }, maxTotalPrice })
      return { executor: r.executor, budget: r.receipt.price.maxTotalPrice, charge: r.receipt.price.charge, stdout: new TextDecoder().decode(r.stdout) }
    }, MAX_TOTAL_PRICE)
    expect(result.stdout).toBe('bid')
    // The witness tab runs for free, so it bids 0 and wins; it is paid at most the next bid, here nothing since it charges nothing.
    const card = await alice.page.getByTestId('task-card').first().innerText()
    expect(result.executor, card).toBe(witness.peerId)
    expect(result.budget).toBeGreaterThan(0)
    expect(result.budget).toBeLessThanOrEqual(MAX_TOTAL_PRICE)
    expect(result.charge).toBe(0)
  })

  it('a redundant task keeps the majority\'s result; the cheater it contradicts is neither paid nor trusted again', async () => {
    for (const peer of [witness, cheater]) await waitForDirect(alice.page, peer.peerId, 90_000)
    const result = await alice.page.evaluate(async (maxTotalPrice) => {
      const r = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin: 'majority', redundancy: 3, maxTotalPrice })
      return { stdout: new TextDecoder().decode(r.stdout), executor: r.executor, taskId: r.receipt.taskId.replace(/-\d$/, '') }
    }, MAX_TOTAL_PRICE)
    expect(result.stdout).toBe('majority')
    expect(result.executor).not.toBe(cheater.peerId)
    const ledger = await alice.page.evaluate(async () => window.zerostate.ledger())
    expect(ledger.reputation.find(r => r.peerId === cheater.peerId)?.blacklisted).toBe(true)
    const paid = ledger.payments.filter((p): p is ReceiptPaymentRecord => p.kind !== 'share' && p.receipt.taskId.startsWith(result.taskId))
    // Bob charges; the witness tab runs for free, so it has nothing to be paid.
    expect(paid.map(p => p.receipt.executor)).toEqual([bob.peerId])
  })

  it('refuses a receipt signed with a key that is not the executor\'s, and pays nothing for it', async () => {
    const forger = await harness.openPeer({ testHooks: true, query: '?cheat=wrong-key' })
    await forger.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
    await waitForDirect(alice.page, forger.peerId, 90_000)
    const error = await alice.page.evaluate(async (executor) => {
      try {
        await window.zerostate.submit({ module: 'samples/echo.wasm', stdin: 'x', executor })
        return null
      } catch (err) {
        return (err as Error).name
      }
    }, forger.peerId)
    expect(error).toBe('ReceiptMismatchError')
    const ledger = await alice.page.evaluate(async () => window.zerostate.ledger())
    expect(ledger.channels.some(c => c.peer === forger.peerId)).toBe(false)
    expect(ledger.reputation.find(r => r.peerId === forger.peerId)?.history.map(h => h.outcome)).toEqual(['wrong-result'])
    await forger.context.close()
  })

  it('a witness catches the cheating executor: the submitter\'s re-run confirms it, the payment is refunded, the cheater blacklisted', async () => {
    for (const peer of [witness, cheater]) await waitForDirect(alice.page, peer.peerId, 90_000)
    const cheated = await submitTo(alice.page, cheater.peerId, 'honest input')
    // The cheater's output is corrupted, and its receipt signed over exactly that: the submitter alone cannot tell.
    expect(cheated.stdout).not.toBe('honest input')
    await expect.poll(async () => alice.page.evaluate(async (taskId) => (await window.zerostate.ledger()).attestations.some(a =>
      a.attestation.taskId === taskId && a.attestation.verdict === 'disagree' && a.resolution === 'executor-wrong'), cheated.taskId), { timeout: 60_000, interval: 250 }).toBe(true)
    const ledger = await alice.page.evaluate(async () => window.zerostate.ledger())
    const byWitness = ledger.attestations.find(a => a.attestation.taskId === cheated.taskId && a.attestation.witness === witness.peerId)
    expect(byWitness?.attestation.verdict).toBe('disagree')
    expect(ledger.reputation.find(r => r.peerId === cheater.peerId)?.blacklisted).toBe(true)
    await expect.poll(async () => alice.page.evaluate(async (taskId) => (await window.zerostate.ledger()).payments.some(p => p.kind === 'refund' && p.receipt.taskId === taskId), cheated.taskId), { timeout: 20_000, interval: 250 }).toBe(true)
    const refund = await alice.page.evaluate(async (taskId) => (await window.zerostate.ledger()).payments.find(p => p.kind === 'refund' && p.receipt.taskId === taskId), cheated.taskId)
    expect(refund?.amount).toBe(cheated.charge)
    // The witness heard the submitter's signed report on the cheater.
    await expect.poll(async () => witness.page.evaluate(async (cheater) => (await window.zerostate.ledger()).reports.some(r => r.subject === cheater && r.outcome === 'wrong-result'), cheater.peerId), { timeout: 20_000, interval: 250 }).toBe(true)
    // Shut out: tasks without a named executor never go to it again.
    for (let i = 0; i < 3; i++) {
      const executor = await alice.page.evaluate(async () => (await window.zerostate.submit({ module: 'samples/echo.wasm', stdin: 'next' })).executor)
      expect(executor).not.toBe(cheater.peerId)
    }
    await showSection(alice.page, 'submit')
    await alice.page.screenshot({ path: join(ARTIFACTS, 'trust-cheater-caught.png'), fullPage: true })
    await showSection(alice.page, 'ledger')
    await alice.page.locator('zs-ledger').screenshot({ path: join(ARTIFACTS, 'trust-ledger-view.png') })
  })

  it('closes channels: cooperatively at once, or alone after a challenge period; both sides keep the settlement', async () => {
    await waitForDirect(bob.page, alice.peerId, 90_000)
    const bobs = await channelWith(bob.page, alice.peerId, 'a')
    const mode = await bob.page.evaluate(async (id) => (await window.zerostate.closeChannel(id)).mode, bobs!.channelId)
    expect(mode).toBe('cooperative')
    const statusAt = async (page: Page, channelId: string): Promise<string | undefined> =>
      page.evaluate(async (id) => (await window.zerostate.ledger()).channels.find(c => c.channelId === id)?.status, channelId)
    expect(await statusAt(alice.page, bobs!.channelId)).toBe('settled')

    const alices = await channelWith(alice.page, bob.peerId, 'a')
    await alice.page.evaluate(async (id) => { await window.zerostate.closeChannelUnilaterally(id, 3000) }, alices!.channelId)
    await expect.poll(async () => statusAt(bob.page, alices!.channelId), { timeout: 10_000, interval: 250 }).toBe('closing')
    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => statusAt(page, alices!.channelId), { timeout: 30_000, interval: 500 }).toBe('settled')
    }
    const settlement = await bob.page.evaluate(async (id) => (await window.zerostate.ledger()).channels.find(c => c.channelId === id)?.settlement, alices!.channelId)
    expect(settlement?.mode).toBe('unilateral')
    expect(settlement?.finalState.state.sequence).toBe(alices!.sequence)
    await showSection(alice.page, 'ledger')
    await alice.page.locator('zs-ledger').screenshot({ path: join(ARTIFACTS, 'trust-ledger-closed.png') })
  })

  it('a payer that closes alone on an older state (one it paid less in) loses to the newer state the payee shows', async () => {
    const staleCloser = await harness.openPeer({ testHooks: true, query: '?cheat=stale-close' })
    await waitForDirect(staleCloser.page, bob.peerId, 90_000)
    for (const stdin of ['first', 'second']) {
      await submitTo(staleCloser.page, bob.peerId, stdin)
      // Paid before the next task: each by a state of its own (two tasks within a batch window share one).
      await staleCloser.page.evaluate(async () => { await window.zerostate.ledger() })
    }
    const channel = await channelWith(staleCloser.page, bob.peerId, 'a')
    expect(channel?.sequence).toBe(2)
    const posted = await staleCloser.page.evaluate(async (id) => (await window.zerostate.closeChannelUnilaterally(id, 3000)).state.state.sequence, channel!.channelId)
    expect(posted).toBe(1)
    const settled = async (page: Page): Promise<number | undefined> => page.evaluate(async (id) =>
      (await window.zerostate.ledger()).channels.find(c => c.channelId === id)?.settlement?.finalState.state.sequence, channel!.channelId)
    for (const page of [bob.page, staleCloser.page]) await expect.poll(async () => settled(page), { timeout: 30_000, interval: 500 }).toBe(2)
    await staleCloser.context.close()
  })
})
