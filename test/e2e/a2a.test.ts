/**
 * A2A between the mesh and the outside, and between peers (docs/a2a-binding.md):
 * the app server and a relay (src/server/mesh.ts), two spawned `zerostate
 * contribute` Node peers — one serving A2A (`--a2a-port 0`: HTTP JSON-RPC, and
 * /zerostate/a2a/1.0.0), one only executing — and:
 *
 * - the official @a2a-js/sdk client (1.3.0, A2A 1.0 JSON-RPC) as an outside
 *   agent framework: it finds the endpoint through the agent card, sends a
 *   lang-detect text, and gets a completed task whose stdout artifact names
 *   the language and whose receipt artifact verifies (verifyReceipt, and
 *   `zerostate receipt verify` on the saved file); a bad request comes back
 *   as the SDK's error class; a streamed task ends completed;
 * - a second Node peer (in this process) sending an A2A message to the
 *   serving peer over /zerostate/a2a/1.0.0, and canceling a long task.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SendMessageRequest, StreamResponse as SdkStreamResponse, Task as SdkTask } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'
import type { Client } from '@a2a-js/sdk/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cancelA2ATask, getA2ATask, sendA2AMessage } from '../../src/orchestration/a2a/index.ts'
import type { Message, StreamResponse, Task } from '../../src/orchestration/a2a/index.ts'
import { startNodePeer } from '../../src/peer/node-peer.node.ts'
import type { NodePeer } from '../../src/peer/node-peer.node.ts'
import type { ZeroStateRecords } from '../../src/peer/store.ts'
import { FREE_PRICES } from '../../src/receipts/pricing/index.ts'
import { parseReceipt, receiptHash, verifyReceipt } from '../../src/receipts/index.ts'
import { startMesh } from '../../src/server/mesh.ts'
import type { Mesh } from '../../src/server/mesh.ts'
import { withModuleCache } from '../../src/storage/index.ts'
import { openSqliteStore } from '../../src/storage/sqlite-store.node.ts'
import { noopLogger } from '../../src/core/index.ts'
import { spawnContributor } from './contribute-process.ts'
import { openSubmitterWithExecutors, startHarness, waitForDirect } from './harness.ts'
import type { Harness } from './harness.ts'
import type { Contributor } from './contribute-process.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const CLI = [process.execPath, '--experimental-transform-types', '--disable-warning=ExperimentalWarning', join(ROOT, 'src/cli/zerostate.ts')] as const

/** `zerostate contribute` with no witness re-runs (each task runs once), and `extra` flags. */
function contribute (server: string, dir: string, extra: string[]): Contributor {
  return spawnContributor(server, dir, ['--witness-rate', '0', ...extra])
}

const GERMAN = 'Hallo Welt, wie geht es dir heute? Das Wetter ist schön.'

const langDetect = (extra: Partial<Message> = {}): Message => ({
  messageId: crypto.randomUUID(),
  role: 'ROLE_USER',
  parts: [{ text: GERMAN }, { data: { args: ['--top', '1'] } }],
  metadata: { skill: 'lang-detect' },
  ...extra
})

/** The stdout artifact's text and the receipt artifact's JSON of a finished task. */
function outputs (task: Task): { stdout: string, receipt: unknown } {
  const artifact = (id: string): Task['artifacts'] extends Array<infer A> | undefined ? A | undefined : never =>
    task.artifacts?.find(a => a.artifactId === id)
  return { stdout: artifact('stdout')?.parts[0]?.text ?? '', receipt: artifact('receipt')?.parts[0]?.data }
}

describe('A2A into the mesh and between peers', () => {
  let mesh: Mesh
  let dirs: string[]
  let serving: Contributor
  let executor: Contributor
  let servingPeerId: string
  let endpoint: string
  let client: Client
  let caller: NodePeer

  beforeAll(async () => {
    mesh = await startMesh({ root: join(ROOT, 'dist'), host: '127.0.0.1', port: 0, relayPort: 0, relays: 1, extraRelayAddrs: [] })
    dirs = await Promise.all([0, 1, 2].map(async () => mkdtemp(join(tmpdir(), 'zerostate-a2a-'))))
    serving = contribute(mesh.url, dirs[0]!, ['--a2a-port', '0'])
    executor = contribute(mesh.url, dirs[1]!, [])
    const online = await serving.next('online')
    servingPeerId = online.peerId!
    endpoint = online.a2a!
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/a2a$/)
    const executorId = (await executor.next('online')).peerId!
    const store = withModuleCache(await openSqliteStore<ZeroStateRecords>(dirs[2]!))
    caller = await startNodePeer({ server: mesh.url, store, slots: 1, contributing: false, prices: FREE_PRICES, logger: noopLogger })
    // Both contributors known to this peer, with their Agent Cards and their presence (the two travel apart on
    // gossip; a peer with a card but no presence yet has no route, and connectionTo refuses it as unreachable):
    // by then they know each other too.
    const deadline = Date.now() + 60_000
    const known = (id: string): boolean => caller.peer.cards.cards.get(id) !== undefined && caller.peer.mesh.peers().some(peer => peer.peerId === id)
    while (![servingPeerId, executorId].every(known)) {
      if (Date.now() > deadline) throw new Error('the contributing peers never announced their Agent Cards and presence')
      await new Promise(resolve => setTimeout(resolve, 200))
    }
    client = await new ClientFactory().createFromUrl(new URL(endpoint).origin)
  }, 180_000)

  afterAll(async () => {
    await caller?.stop({ drainMs: 0 })
    serving?.kill('SIGKILL')
    executor?.kill('SIGKILL')
    await mesh?.stop()
    await Promise.all((dirs ?? []).map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  })

  it('an outside A2A client drives a task through the Node endpoint and gets artifacts with a receipt that verifies', async () => {
    let task: Task | undefined
    // The serving peer may not have heard the executor's Agent Card yet on the first try: a failed task without a receipt is tried again.
    for (let attempt = 0; attempt < 5; attempt++) {
      task = SdkTask.toJSON(await client.sendMessage(SendMessageRequest.fromJSON({ message: langDetect() })) as SdkTask) as Task
      if (task.status.state === 'TASK_STATE_COMPLETED' || outputs(task).receipt !== undefined) break
      await new Promise(resolve => setTimeout(resolve, 2000))
    }
    expect(task?.status.state, JSON.stringify(task?.status)).toBe('TASK_STATE_COMPLETED')
    const { stdout, receipt } = outputs(task!)
    expect(JSON.parse(stdout)).toMatchObject({ language: 'deu' })
    const checked = parseReceipt(receipt)
    await verifyReceipt(checked)
    expect(checked.status).toBe('ok')
    expect(task!.metadata).toMatchObject({ executor: checked.executor, receiptHash: receiptHash(checked), exitCode: 0 })
    // Saved as the client received it, `zerostate receipt verify` accepts it.
    const file = join(dirs[2]!, 'receipt.json')
    await writeFile(file, JSON.stringify(receipt))
    const verify = spawn(CLI[0], [...CLI.slice(1), 'receipt', 'verify', file], { cwd: ROOT, stdio: 'ignore' })
    expect(await new Promise(resolve => { verify.once('exit', resolve) })).toBe(0)
    // GetTask reads it again.
    expect((SdkTask.toJSON(await client.getTask({ tenant: '', id: task!.id })) as Task).status.state).toBe('TASK_STATE_COMPLETED')
  }, 120_000)

  it('streams a task to its end, and answers a bad request with an A2A error', async () => {
    const events: StreamResponse[] = []
    for await (const event of client.sendMessageStream(SendMessageRequest.fromJSON({ message: langDetect() }))) events.push(SdkStreamResponse.toJSON(event) as StreamResponse)
    expect(events[0]).toHaveProperty('task')
    expect(events.at(-1)).toMatchObject({ statusUpdate: { status: { state: 'TASK_STATE_COMPLETED' } } })
    expect(events.some(event => 'artifactUpdate' in event && event.artifactUpdate.artifact.artifactId === 'receipt')).toBe(true)
    // An unknown skill: invalid params (-32602), which the SDK raises as its RequestMalformedError.
    await expect(client.sendMessage(SendMessageRequest.fromJSON({ message: langDetect({ metadata: { skill: 'no-such-skill' } }) })))
      .rejects.toMatchObject({ name: 'RequestMalformedError', envelopeCode: -32602 })
    await expect(client.getTask({ tenant: '', id: 'no-such-task' })).rejects.toMatchObject({ name: 'TaskNotFoundError' })
  }, 120_000)

  it('the serving peer\'s signed Agent Card declares the libp2p binding (card version 2); the other\'s stays version 1', async () => {
    // The card republished once serveA2A ran: it may take a refresh to arrive.
    await expect.poll(() => caller.peer.cards.cards.get(servingPeerId)?.supportedInterfaces, { timeout: 30_000, interval: 200 })
      .toEqual([{ url: `/p2p/${servingPeerId}`, protocolBinding: 'ZEROSTATE-LIBP2P', protocolVersion: '1.0' }])
    expect(caller.peer.cards.cards.get(servingPeerId)?.cardVersion).toBe(2)
    const other = [...caller.peer.cards.cards.cards()].find(card => card.peerId !== servingPeerId)
    expect(other).toMatchObject({ cardVersion: 1 })
    expect(other).not.toHaveProperty('supportedInterfaces')
  }, 60_000)

  it('a second Node peer sends a task over /zerostate/a2a/1.0.0, and cancels another', async () => {
    const connection = await caller.peer.mesh.connectionTo(servingPeerId, { signal: AbortSignal.timeout(30_000) })
    const task = await sendA2AMessage(connection, { message: langDetect() }, { signal: AbortSignal.timeout(90_000) })
    expect(task.status.state, JSON.stringify(task.status)).toBe('TASK_STATE_COMPLETED')
    expect(JSON.parse(outputs(task).stdout)).toMatchObject({ language: 'deu' })
    await verifyReceipt(parseReceipt(outputs(task).receipt))
    // A task that never ends, canceled while it runs.
    const forever = await sendA2AMessage(connection, {
      message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text: '' }, { data: { timeoutMs: 60_000 } }], metadata: { skill: 'forever' } },
      configuration: { returnImmediately: true }
    })
    expect(forever.status.state).toBe('TASK_STATE_WORKING')
    expect((await cancelA2ATask(connection, { id: forever.id })).status.state).toBe('TASK_STATE_CANCELED')
    expect((await getA2ATask(connection, { id: forever.id })).status.state).toBe('TASK_STATE_CANCELED')
  }, 120_000)
})

describe('A2A between Chromium tabs', () => {
  let harness: Harness

  beforeAll(async () => {
    harness = await startHarness()
  }, 120_000)

  afterAll(async () => {
    await harness?.close()
  })

  it('a tab serves A2A; another sends it a message, which runs on a third tab and comes back with its receipt', async () => {
    const agent = await harness.openPeer()
    const { submitter: caller, executors: [worker] } = await openSubmitterWithExecutors(harness, 1)
    await waitForDirect(agent.page, worker!.peerId)
    await waitForDirect(caller.page, agent.peerId)
    await agent.page.waitForFunction(peer => window.zerostate.cards().some(card => card.peerId === peer), worker!.peerId, { timeout: 30_000, polling: 200 })
    // Not served until asked: a peer that serves A2A pays for what others ask of it.
    const refused = await caller.page.evaluate(async ({ peer, message }) => window.zerostate.a2a.send(peer, { message }).then(() => 'sent', (err: Error) => err.name), { peer: agent.peerId, message: langDetect() })
    expect(refused).not.toBe('sent')

    // Cards come from contributing peers: the agent tab contributes too, and its card (version 1) arrives first.
    await agent.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { witnessRates: { established: 0, newcomer: 0 } }) })
    await caller.page.waitForFunction(peer => window.zerostate.cards().some(card => card.peerId === peer), agent.peerId, { timeout: 30_000, polling: 200 })
    expect(await caller.page.evaluate(() => window.zerostate.a2a.peers())).not.toContain(agent.peerId)
    await agent.page.evaluate(async () => { await window.zerostate.a2a.serve() })
    // Its next card (version 2) declares the binding: the caller finds it among the A2A peers.
    await expect.poll(() => caller.page.evaluate(() => window.zerostate.a2a.peers()), { timeout: 30_000, interval: 200 }).toContain(agent.peerId)
    // The Network view's card row says so too.
    const badge = caller.page.locator(`[data-testid="card-row"][data-peer-id="${agent.peerId}"] [data-testid="card-interface"]`)
    await expect.poll(async () => badge.textContent(), { timeout: 10_000 }).toContain('ZEROSTATE-LIBP2P')
    const task = await caller.page.evaluate(async ({ peer, message }) => window.zerostate.a2a.send(peer, { message }), { peer: agent.peerId, message: langDetect() })
    expect(task.status.state, JSON.stringify(task.status)).toBe('TASK_STATE_COMPLETED')
    expect(JSON.parse(outputs(task).stdout)).toMatchObject({ language: 'deu' })
    const receipt = parseReceipt(outputs(task).receipt)
    await verifyReceipt(receipt)
    expect({ executor: receipt.executor, submitter: receipt.submitter }).toEqual({ executor: worker!.peerId, submitter: agent.peerId })
  }, 180_000)
})
