/**
 * A guild wins a workflow and is paid by the Shapley split, in Chromium
 * (docs/guild.md §6): two contributing tabs form a guild (each signs), a
 * submitter tab runs a two-step workflow with a budget, the guild's bid beats
 * the per-step offers of the members' own Agent Cards, each step runs on the
 * member its bid names, and when the run completes the submitter signs the
 * split, pays each member its share over a payment channel (no step is paid
 * task by task), and publishes the record — which a fourth tab recomputes,
 * and refuses once tampered with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { ARTIFACTS, startHarness, waitForDirect, waitOnline } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'
import { checkSplitElsewhere } from './split-check.ts'

/** Cheap fuel, nothing per second or MiB: a card's per-step offer (at the step's limits) is 50 000 µ, a real run a few µ. */
const PRICES = { perMegaFuel: 1, perSecond: 0, perMb: 0 }
const STEP_PRICE = 300

const SPEC = `version: 1
name: stats-then-zip
inputs:
  text: { type: text }
dag:
  tasks:
    - name: stats
      module: text-stats
      stdin: "\${{ inputs.text }}"
    - name: zip
      module: gzip
      depends: stats.Succeeded
      stdin: "\${{ steps.stats.stdout }}"
outputs:
  stats: "\${{ steps.stats.stdout }}"
`

/** A submitter tab and two contributing tabs that sign guild invitations and bid `STEP_PRICE` a step, each directly connected. */
async function openGuildTabs (harness: Harness, prices: typeof PRICES): Promise<{ submitter: Peer, lead: Peer, member: Peer }> {
  const submitter = await harness.openPeer()
  const lead = await harness.openPeer()
  const member = await harness.openPeer()
  for (const peer of [lead, member]) {
    await peer.page.evaluate(async ({ prices, stepPrice }) => {
      await window.zerostate.contribute(true, 1, { prices, witnessRates: { established: 0, newcomer: 0 } })
      window.zerostate.guilds.configure({ acceptInvites: true, stepPrice })
    }, { prices, stepPrice: STEP_PRICE })
    await waitForDirect(submitter.page, peer.peerId)
  }
  await waitForDirect(lead.page, member.peerId)
  return { submitter, lead, member }
}

/** The lead forms the guild (by default text-stats by the lead, gzip by the member); resolves once the submitter knows it and both cards. */
async function formGuild (guildId: string, lead: Peer, member: Peer, submitter: Peer, roles = { lead: ['text-stats'], member: ['gzip'] }): Promise<{ signers: string[] }> {
  const guild = await lead.page.evaluate(async ({ guildId, lead, member, roles }) => window.zerostate.guilds.form({
    guildId,
    name: guildId,
    members: [{ peerId: lead, agents: [], roles: roles.lead }, { peerId: member, agents: [], roles: roles.member }],
    ttlMs: 10 * 60_000
  }), { guildId, lead: lead.peerId, member: member.peerId, roles })
  await submitter.page.waitForFunction(id => window.zerostate.guilds.known().some(known => known.guildId === id), guildId, { timeout: 30_000, polling: 200 })
  await submitter.page.waitForFunction(count => window.zerostate.cards().length >= count, 2, { timeout: 30_000, polling: 200 })
  return { signers: guild.signatures.map(entry => entry.member) }
}

/** Runs SPEC on `submitter` awarded with `budget`; its end state, run id and who ran each step. */
async function runAwarded (submitter: Peer, text: string, budget: number): Promise<{ state: string, runId: string, steps: Array<{ name: string, executors?: string[] }>, why: string }> {
  return submitter.page.evaluate(async ({ spec, text, budget }) => {
    const runner = await window.zerostate.workflow(spec, { text }, { witnesses: false, guild: { budget } })
    const result = await runner.result()
    // What the run's log says of each step, to read when a run did not complete.
    const why = JSON.stringify(runner.status().steps)
    return { state: result.state, runId: runner.runId, steps: runner.status().steps.map(step => ({ name: step.name, executors: step.executors })), why }
  }, { spec: SPEC, text, budget })
}

describe('a guild wins a workflow and is paid by the Shapley split', () => {
  let harness: Harness
  let submitter: Peer
  let lead: Peer
  let member: Peer
  let watcher: Peer

  beforeAll(async () => {
    harness = await startHarness()
    const tabs = await openGuildTabs(harness, PRICES)
    submitter = tabs.submitter
    lead = tabs.lead
    member = tabs.member
    watcher = await harness.openPeer()
    await waitForDirect(watcher.page, submitter.peerId)
  }, 240_000)

  afterAll(async () => {
    await harness?.close()
  })

  it('forms the guild, awards it the run, runs each step on its member, pays the split, and a third tab recomputes it', async () => {
    expect((await formGuild('stats-and-zip', lead, member, submitter)).signers).toEqual([lead.peerId, member.peerId])
    const run = await runAwarded(submitter, 'one two three\nfour five\n', 1000)
    expect(run.state).toBe('completed')
    // Each step ran on the member the guild's bid gave it.
    expect(run.steps).toEqual([{ name: 'stats', executors: [lead.peerId] }, { name: 'zip', executors: [member.peerId] }])

    // The submitter signed the split once the run completed, and paid each member its payment, no step task by task.
    await submitter.page.waitForFunction(runId => window.zerostate.guilds.splits().some(record => record.runId === runId), run.runId, { timeout: 30_000, polling: 200 })
    const split = await submitter.page.evaluate(runId => window.zerostate.guilds.splits().find(record => record.runId === runId)!, run.runId)
    expect(split.signer).toBe(submitter.peerId)
    expect(split.budget).toBe(2 * STEP_PRICE)
    expect(split.shares.map(share => share.member).sort()).toEqual([lead.peerId, member.peerId].sort())
    expect(split.shares.reduce((sum, share) => sum + Math.max(0, share.payment), 0)).toBeLessThanOrEqual(split.budget)
    const due = Object.fromEntries(split.shares.map(share => [share.member, share.payment]))
    for (const peer of [lead, member]) {
      await expect.poll(async () => peer.page.evaluate(async runId => (await window.zerostate.ledger()).payments
        .filter(p => p.kind === 'share' && p.share.runId === runId).map(p => p.amount), run.runId), { timeout: 30_000, interval: 250 }).toEqual([due[peer.peerId]])
    }
    const paidByTask = await submitter.page.evaluate(async () => (await window.zerostate.ledger()).payments.filter(p => p.direction === 'out' && p.kind === 'payment').length)
    expect(paidByTask).toBe(0)

    // A third tab got the record on the splits topic, recomputed before it was taken, and refuses a tampered copy.
    const checked = await checkSplitElsewhere(watcher, run.runId, lead.peerId)
    expect(checked).toEqual({ ok: run.runId, refused: expect.stringMatching(/SplitMismatchError|SplitRecordSignatureError|Signature/) })
  }, 240_000)

  it('through the page: a guild founded in the Guilds view wins a run started with a budget; the run card shows the award and the split', async () => {
    // The lead founds it from its Guilds view: its own roles and the member's, a name.
    await showSection(lead.page, 'agents')
    const form = lead.page.getByTestId('guild-form')
    await form.locator(`[data-testid="guild-candidate"][data-peer-id="${lead.peerId}"] [data-testid="guild-roles"]`).fill('echo')
    await form.locator(`[data-testid="guild-candidate"][data-peer-id="${member.peerId}"] [data-testid="guild-roles"]`).fill('sha256')
    await form.getByTestId('guild-name').fill('Echo and hash')
    await form.getByTestId('form-guild').click()
    await expect.poll(async () => form.getByTestId('guild-formed').textContent().catch(() => ''), { timeout: 30_000 }).toContain('every member signed')
    const guildId = await lead.page.evaluate(() => window.zerostate.guilds.own().find(guild => guild.name === 'Echo and hash')?.guildId)
    expect(guildId).toMatch(/^echo-and-hash-[0-9a-f]{8}$/)
    // The submitter's Guilds view lists it with both members.
    const listed = submitter.page.locator(`[data-testid="guild"][data-guild-id="${guildId}"]`)
    await expect.poll(async () => listed.getByTestId('guild-member').count(), { timeout: 30_000 }).toBe(2)

    // The submitter runs a spec from the Workflows view with a budget.
    const page = submitter.page
    const spec = ['version: 1', 'name: echo-then-hash', 'dag:', '  tasks:',
      '    - name: say', '      module: echo', '      stdin: hello guild',
      '    - name: hash', '      module: sha256', '      dependencies: [say]', '      stdin: "$' + '{{ steps.say.stdout }}"', ''].join('\n')
    await showSection(page, 'workflows')
    await page.getByTestId('workflow-spec').fill(spec)
    await page.getByTestId('workflow-guild-budget').fill('1000')
    const before = await page.getByTestId('workflow-run').count()
    await page.getByTestId('run-workflow').click()
    await expect.poll(async () => page.getByTestId('workflow-run').count(), { timeout: 30_000 }).toBe(before + 1)
    const card = page.locator('[data-testid="workflow-run"]').first()
    await expect.poll(async () => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('completed')
    const award = card.getByTestId('workflow-award')
    expect(await award.getAttribute('data-guild')).toBe(guildId)
    expect(await award.getByTestId('award-guild').textContent()).toBe('Echo and hash')
    expect(await award.getByTestId('award-step').evaluateAll(steps => steps.map(step => [step.getAttribute('data-step'), step.getAttribute('data-executor')])))
      .toEqual([['say', lead.peerId], ['hash', member.peerId]])
    // The split, once signed: a bar segment per member, as wide as its payment.
    const segments = award.getByTestId('split-segment')
    await expect.poll(async () => segments.count(), { timeout: 30_000 }).toBe(2)
    const paid = await segments.evaluateAll(spans => spans.map(span => Number(span.getAttribute('data-payment'))))
    expect(paid.reduce((sum, payment) => sum + payment, 0)).toBeLessThanOrEqual(2 * STEP_PRICE)
    await card.screenshot({ path: join(ARTIFACTS, 'guild-award.png') })
    await showSection(page, 'agents')
    await page.locator('section.guilds').screenshot({ path: join(ARTIFACTS, 'guilds.png') })
  }, 240_000)

  it('keeps the award through a reload: the resumed run runs each step on its member and pays the guild by the split', async () => {
    await formGuild('count-and-zip', lead, member, submitter, { lead: ['primes'], member: ['gzip'] })
    // A first step long enough (~1.5 s of sieve, the module's largest N) to reload the submitter in the middle of it.
    const spec = [
      'version: 1', 'name: count-then-zip', 'dag:', '  tasks:',
      '    - name: count', '      module: primes', '      args: ["200000000"]',
      '    - name: zip', '      module: gzip', '      dependencies: [count]', '      stdin: "$' + '{{ steps.count.stdout }}"', ''
    ].join('\n')
    const page = submitter.page
    const runId = await page.evaluate(async spec => (await window.zerostate.workflow(spec, {}, {
      witnesses: false, memoryLimitBytes: 128 * 1024 * 1024, guild: { budget: 1000 }
    })).runId, spec)
    await expect.poll(async () => page.evaluate(async id => (await window.zerostate.workflowLog(id) as Array<{ type: string, step?: string }>)
      .some(e => e.type === 'started' && e.step === 'count'), runId), { timeout: 60_000, interval: 100 }).toBe(true)
    await page.reload()
    await waitOnline(page)
    await waitForDirect(page, lead.peerId)
    await waitForDirect(page, member.peerId)

    const resumed = await page.evaluate(async id => {
      const runner = await window.zerostate.resumeWorkflow(id, { witnesses: false, memoryLimitBytes: 128 * 1024 * 1024 })
      const result = await runner.result()
      return { state: result.state, steps: runner.status().steps.map(step => ({ name: step.name, executors: step.executors })), log: JSON.stringify(await window.zerostate.workflowLog(id)).slice(-3000) }
    }, runId)
    expect(resumed.state, resumed.log).toBe('completed')
    expect(resumed.steps.map(({ name, executors }) => ({ name, executors }))).toEqual([{ name: 'count', executors: [lead.peerId] }, { name: 'zip', executors: [member.peerId] }])
    // The award survived: the split covers both steps, and no step was paid task by task.
    await expect.poll(async () => page.evaluate(id => window.zerostate.guilds.splits().filter(record => record.runId === id)
      .map(record => ({ budget: record.budget, members: record.shares.map(share => share.member).sort() })), runId), { timeout: 30_000 })
      .toEqual([{ budget: 2 * STEP_PRICE, members: [lead.peerId, member.peerId].sort() }])
    expect(await page.evaluate(async () => (await window.zerostate.ledger()).payments.filter(p => p.direction === 'out' && p.kind === 'payment').length)).toBe(0)
  }, 240_000)
})

/** Fuel dear enough that a run's charge is not 0 µ: the re-awarded step's per-task payment shows in the ledger. */
const REAWARD_PRICES = { perMegaFuel: 100, perSecond: 0, perMb: 0 }

describe('a guild member that left before its step: the step is re-awarded', () => {
  let harness: Harness
  let submitter: Peer
  let lead: Peer
  let member: Peer

  beforeAll(async () => {
    harness = await startHarness()
    const tabs = await openGuildTabs(harness, REAWARD_PRICES)
    submitter = tabs.submitter
    lead = tabs.lead
    member = tabs.member
  }, 240_000)

  afterAll(async () => {
    await harness?.close()
  })

  it('runs the departed member\'s step on the best per-step offer, pays it by task, and splits only what the guild ran', async () => {
    await formGuild('left-early', lead, member, submitter)
    // The member leaves: its tab closes. The lead still bids for the guild (its record names both).
    await member.context.close()
    await submitter.page.waitForFunction(peer => !window.zerostate.peers().some(p => p.peerId === peer), member.peerId, { timeout: 30_000, polling: 200 })

    const run = await runAwarded(submitter, 'one two three\n', 3_000_000)
    expect(run.state, run.why).toBe('completed')
    expect(run.steps).toEqual([{ name: 'stats', executors: [lead.peerId] }, { name: 'zip', executors: [lead.peerId] }])
    await expect.poll(async () => submitter.page.evaluate(runId => window.zerostate.guilds.splits().filter(record => record.runId === runId)
      .map(record => ({ budget: record.budget, members: record.shares.map(share => share.member) })), run.runId), { timeout: 30_000 })
      .toEqual([{ budget: STEP_PRICE, members: [lead.peerId] }])
    // The re-awarded step was paid by task, at its receipt's charge; the guild's by the split.
    await expect.poll(async () => submitter.page.evaluate(async () => (await window.zerostate.ledger()).payments
      .filter(p => p.direction === 'out').map(p => p.kind).sort()), { timeout: 30_000 }).toEqual(['payment', 'share'])
  }, 240_000)
})
