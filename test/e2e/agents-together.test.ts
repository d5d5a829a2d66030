/**
 * Issue 14's "Done when", as one scene in Chromium: three tabs and one Node
 * peer (`zerostate contribute`, spawned as a user runs it).
 *
 * - Tab A publishes an agent, `team-notes` (the context-note module under a
 *   new name), and leads a guild with the Node peer, which signs the
 *   invitation (`--guild-invites`): A fills the `context-note` role, the Node
 *   peer `team-notes@^1`.
 * - Tab B runs a two-step workflow naming the agent by name, with a budget:
 *   the guild wins it. The `note` step runs the published agent on the Node
 *   peer and writes the run's shared context; the `report` step runs on tab A
 *   and reads what the Node peer wrote.
 * - B signs the Shapley split and pays both members their shares over
 *   payment channels; tab C, which took no part, recomputes the record it
 *   received and refuses a tampered copy.
 * - An outside A2A client (`@a2a-js/sdk`) drives a task through the Node
 *   peer's HTTP endpoint, and gets artifacts with a receipt that verifies.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClientFactory } from '@a2a-js/sdk/client'
import { SendMessageRequest, Task as SdkTask } from '@a2a-js/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseReceipt, verifyReceipt } from '../../src/receipts/index.ts'
import type { Task } from '../../src/orchestration/a2a/index.ts'
import { ARTIFACTS, startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'
import { checkSplitElsewhere } from './split-check.ts'
import { spawnContributor } from './contribute-process.ts'
import type { Contributor } from './contribute-process.ts'

/** Cheap fuel, nothing per second or MiB: a card's per-step offer (at the step's limits) is far above the guild's price. */
const PRICES = { perMegaFuel: 1, perSecond: 0, perMb: 0 }
const STEP_PRICE = 300
const AGENT = 'team-notes'
const NOTE = 'the relay answers in 40 ms'

const SPEC = `version: 1
name: notes-by-a-guild
inputs:
  note: { type: text }
context:
  findings: { rule: append, type: string, maxBytes: 512 }
  noted: { rule: sum }
dag:
  tasks:
    - name: note
      agent: "${AGENT}@^1"
      context: write
      args: [--append, findings, --add, noted, "1"]
      stdin: "\${{ inputs.note }}"
    - name: report
      module: context-note
      context: read
      dependencies: [note]
outputs:
  context: "\${{ steps.report.stdout }}"
`

describe('issue 14, done when: three tabs and a Node peer', () => {
  let harness: Harness
  let dir: string
  let node: Contributor
  let nodeId: string
  let endpoint: string
  let a: Peer
  let b: Peer
  let c: Peer

  beforeAll(async () => {
    harness = await startHarness()
    dir = await mkdtemp(join(tmpdir(), 'zerostate-together-'))
    node = spawnContributor(harness.mesh.url, dir, [
      '--witness-rate', '0', '--price-fuel', String(PRICES.perMegaFuel), '--a2a-port', '0', '--guild-invites'
    ])
    const online = await node.next('online')
    nodeId = online.peerId!
    endpoint = online.a2a!
    a = await harness.openPeer()
    b = await harness.openPeer()
    c = await harness.openPeer()
    await a.page.evaluate(async ({ prices, stepPrice }) => {
      await window.zerostate.contribute(true, 1, { prices, witnessRates: { established: 0, newcomer: 0 } })
      window.zerostate.guilds.configure({ acceptInvites: true, stepPrice })
    }, { prices: PRICES, stepPrice: STEP_PRICE })
    // Guild invitations, bids, the context and the split travel over direct connections.
    await waitForDirect(a.page, nodeId)
    await waitForDirect(b.page, a.peerId)
    await waitForDirect(b.page, nodeId)
    await waitForDirect(c.page, b.peerId)
  }, 240_000)

  afterAll(async () => {
    node?.kill('SIGKILL')
    await harness?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('an agent published on A runs by name from B, on the Node peer, in a guild paid by the split that C recomputes', async () => {
    // A publishes the agent.
    const module = new Uint8Array(await (await fetch(`${harness.mesh.url}samples/context-note.wasm`)).arrayBuffer())
    const fields = {
      name: AGENT,
      version: '1.0.0',
      description: 'Proposes its stdin as a note in the run\'s shared context.',
      licence: 'MIT',
      skills: [{ id: 'note', name: 'Take a note', description: 'Appends stdin to a context key.', tags: ['text', 'context'] }],
      modules: [{ name: 'context-note.wasm', sha256: createHash('sha256').update(module).digest('hex'), size: module.length, entry: true }],
      defaults: { timeoutMs: 10_000 }
    }
    const author = await a.page.evaluate(async ({ fields }) => {
      const bytes = new Uint8Array(await (await fetch('samples/context-note.wasm')).arrayBuffer())
      return (await window.zerostate.agents.publish({ fields: fields as never, modules: { 'context-note.wasm': bytes } })).author
    }, { fields })
    expect(author).toBe(a.peerId)
    await b.page.waitForFunction(name => window.zerostate.agents.list().some(agent => agent.name === name), AGENT, { timeout: 30_000, polling: 200 })

    // A forms the guild; the Node peer signs its invitation.
    const guild = await a.page.evaluate(async ({ lead, member, agent }) => window.zerostate.guilds.form({
      guildId: 'notes-guild',
      name: 'Notes guild',
      members: [{ peerId: lead, agents: [], roles: ['context-note'] }, { peerId: member, agents: [`${agent}@1.0.0`], roles: [`${agent}@^1`] }],
      ttlMs: 10 * 60_000
    }), { lead: a.peerId, member: nodeId, agent: AGENT })
    expect(guild.signatures.map(entry => entry.member)).toEqual([a.peerId, nodeId])
    await b.page.waitForFunction(() => window.zerostate.guilds.known().length === 1, undefined, { timeout: 30_000, polling: 200 })
    await b.page.waitForFunction(peers => peers.every(peer => window.zerostate.cards().some(card => card.peerId === peer)), [a.peerId, nodeId], { timeout: 60_000, polling: 200 })

    // B runs the workflow with a budget: the guild wins it, each step on the member its bid names.
    const run = await b.page.evaluate(async ({ spec, note }) => {
      const runner = await window.zerostate.workflow(spec, { note }, { witnesses: false, guild: { budget: 1000 } })
      const result = await runner.result()
      return {
        state: result.state,
        runId: runner.runId,
        report: result.outputs?.context,
        steps: runner.status().steps.map(step => ({ name: step.name, executors: step.executors })),
        context: runner.context()?.value
      }
    }, { spec: SPEC, note: NOTE })
    expect(run.state).toBe('completed')
    expect(run.steps).toEqual([{ name: 'note', executors: [nodeId] }, { name: 'report', executors: [a.peerId] }])
    // The Node peer wrote the note; tab A's step read it from the shared context.
    expect(JSON.parse(String(run.report))).toEqual({ findings: [NOTE], noted: 1 })
    expect(run.context).toEqual({ findings: [NOTE], noted: 1 })
    expect(node.events.some(event => event.event === 'executed' && event.submitter === b.peerId)).toBe(true)
    await showSection(b.page, 'workflows')
    await b.page.locator(`[data-testid="workflow-run"][data-run-id="${run.runId}"]`).screenshot({ path: join(ARTIFACTS, 'agents-together-run.png') })

    // B signed the split and paid each member its share over a channel; no step was paid task by task.
    await b.page.waitForFunction(runId => window.zerostate.guilds.splits().some(record => record.runId === runId), run.runId, { timeout: 30_000, polling: 200 })
    const split = await b.page.evaluate(runId => window.zerostate.guilds.splits().find(record => record.runId === runId)!, run.runId)
    expect(split.signer).toBe(b.peerId)
    expect(split.budget).toBe(2 * STEP_PRICE)
    expect(split.shares.map(share => share.member).sort()).toEqual([a.peerId, nodeId].sort())
    const due = Object.fromEntries(split.shares.map(share => [share.member, share.payment]))
    await expect.poll(async () => b.page.evaluate(async runId => {
      const ledger = await window.zerostate.ledger()
      const peerOf = new Map(ledger.channels.map(channel => [channel.channelId, channel.peer]))
      return Object.fromEntries(ledger.payments.filter(p => p.direction === 'out' && p.kind === 'share' && p.share.runId === runId)
        .map(p => [peerOf.get(p.channelId), p.amount]))
    }, run.runId), { timeout: 30_000, interval: 250 }).toEqual(due)
    await expect.poll(async () => a.page.evaluate(async runId => (await window.zerostate.ledger()).payments
      .filter(p => p.direction === 'in' && p.kind === 'share' && p.share.runId === runId).map(p => p.amount), run.runId), { timeout: 30_000 }).toEqual([due[a.peerId]])
    expect(await b.page.evaluate(async () => (await window.zerostate.ledger()).payments.filter(p => p.direction === 'out' && p.kind === 'payment').length)).toBe(0)

    // C took no part: it recomputes the record it received, and refuses a tampered copy.
    const checked = await checkSplitElsewhere(c, run.runId, nodeId)
    expect(checked).toEqual({ ok: run.runId, refused: expect.stringMatching(/SplitMismatchError|SplitRecordSignatureError|Signature/) })
  }, 240_000)

  it('an outside A2A client drives a task through the Node peer\'s endpoint', async () => {
    const client = await new ClientFactory().createFromUrl(new URL(endpoint).origin)
    const message = {
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts: [{ text: 'Der schnelle braune Fuchs springt über den faulen Hund und läuft weiter durch den Wald.' }],
      metadata: { skill: 'lang-detect' }
    }
    const task = SdkTask.toJSON(await client.sendMessage(SendMessageRequest.fromJSON({ message })) as SdkTask) as Task
    expect(task.status.state, JSON.stringify(task.status)).toBe('TASK_STATE_COMPLETED')
    const stdout = task.artifacts?.find(artifact => artifact.artifactId === 'stdout')?.parts[0]?.text ?? ''
    expect(JSON.parse(stdout)).toMatchObject({ language: 'deu' })
    const receipt = parseReceipt(task.artifacts?.find(artifact => artifact.artifactId === 'receipt')?.parts[0]?.data)
    await verifyReceipt(receipt)
    expect(receipt.submitter).toBe(nodeId)
  }, 120_000)
})
