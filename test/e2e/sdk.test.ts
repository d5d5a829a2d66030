/**
 * The Node SDK (`import { connect } from 'zerostate'`, src/peer/connect.node.ts)
 * on a real mesh: the harness's relay and app server, two Chromium tabs and a
 * Node executor that contribute. A Node submitter's task runs on a tab over
 * direct WebRTC with a receipt it verifies; a job spreads over the tabs and
 * the Node executor, every input's result in input order; a workflow template
 * completes with its outputs and a signed record; and the three examples run
 * as a user runs them, spawned with the harness's server URL.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, verifyReceipt, WORKFLOW_TEMPLATES } from 'zerostate'
import type { Mesh } from 'zerostate'
import { startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { corpusLines, langDetectHere } from '../support/lang-detect-corpus.ts'

const ROOT = join(import.meta.dirname, '..', '..')

/** Runs an example as a user would, to its end (at most `timeoutMs`). */
async function runExample (file: string, args: string[], timeoutMs = 120_000): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', join(ROOT, 'examples', file), ...args], { cwd: ROOT, stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => { stdout += String(chunk) })
  child.stderr.on('data', chunk => { stderr += String(chunk) })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
  const code = await new Promise<number | null>(resolve => { child.once('exit', resolve) })
  clearTimeout(timer)
  return { code, stdout, stderr }
}

describe('the Node SDK on a mesh of two tabs and a Node executor', () => {
  let harness: Harness
  let tabs: Peer[]
  let dirs: string[]
  let submitter: Mesh
  let nodeExecutor: Mesh
  const dir = async (): Promise<string> => {
    const made = await mkdtemp(join(tmpdir(), 'zerostate-sdk-'))
    dirs.push(made)
    return made
  }

  beforeAll(async () => {
    dirs = []
    harness = await startHarness()
    tabs = [await harness.openPeer(), await harness.openPeer()]
    for (const tab of tabs) {
      await tab.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { witnessRates: { established: 0, newcomer: 0 } }) })
    }
    // Each in a directory of its own: a second process on one is refused (StoreLockedError).
    nodeExecutor = await connect({ server: harness.mesh.url, dir: await dir(), contribute: { slots: 1 }, signal: AbortSignal.timeout(60_000) })
    submitter = await connect({ server: harness.mesh.url, dir: await dir(), signal: AbortSignal.timeout(60_000) })
    await submitter.waitForExecutors(3, { timeoutMs: 60_000 })
  }, 180_000)

  afterAll(async () => {
    await submitter?.close()
    await nodeExecutor?.close()
    await harness?.close()
    for (const made of dirs ?? []) await rm(made, { recursive: true, force: true })
  })

  it('runs a Node submitter\'s task on a Chromium tab over direct WebRTC, with a receipt it verifies', async () => {
    const tab = tabs[0]!
    const result = await submitter.submit({ module: 'echo', stdin: 'hello from Node', executor: tab.peerId }, { signal: AbortSignal.timeout(60_000) })
    expect(new TextDecoder().decode(result.stdout)).toBe('hello from Node')
    expect(result.executor).toBe(tab.peerId)
    expect(result.receipt.submitter).toBe(submitter.peerId)
    await verifyReceipt(result.receipt, { executor: tab.peerId, submitter: submitter.peerId, status: 'ok' })
    await waitForDirect(tab.page, submitter.peerId)
    await expect.poll(() => submitter.peers().find(p => p.peerId === tab.peerId)?.transports ?? [], { timeout: 30_000 }).toContain('webrtc')
    // Kept by both: the submitter's history in its directory, the tab's in IndexedDB.
    expect((await submitter.history()).map(kept => kept.receipt.taskId)).toContain(result.receipt.taskId)
    expect(await tab.page.evaluate(() => window.zerostate.history().map(kept => kept.receipt.taskId))).toContain(result.receipt.taskId)
  }, 120_000)

  it('rejects a bad request with the browser\'s error names', async () => {
    await expect(submitter.submit({ module: 'no-such-sample' })).rejects.toMatchObject({ name: 'InvalidTaskMessageError' })
    await expect(submitter.workflow('version: 1\ndag: {tasks: [{name: a, module: echo, depends: b.Succeeded}]}')).rejects.toMatchObject({ name: 'WorkflowSpecError' })
    await expect(submitter.submit({ module: 'echo' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('runs a job across the two tabs and the Node executor: every input\'s result, in order, the Node executor among them', async () => {
    const lines = await corpusLines(240)
    const job = await submitter.job({ module: 'lang-detect', inputs: lines, sliceSize: 10, args: ['--lines'], timeoutMs: 30_000 }, { signal: AbortSignal.timeout(240_000) })
    let statusEvents = 0
    job.addEventListener('status', () => { statusEvents++ })
    const results = await job.results()
    expect(job.status()).toMatchObject({ state: 'completed', total: 24, failed: 0 })
    expect(results.map(r => r.index)).toEqual(lines.map((_, i) => i))
    expect(results.filter(r => r.error !== undefined)).toEqual([])
    expect(results.map(r => r.output)).toEqual(await langDetectHere(lines))
    const used = new Set(results.map(r => r.executor))
    expect(used.size).toBeGreaterThanOrEqual(2)
    // Node to Node over direct WebRTC too (the test namespace has a veth pair: see test/support/loopback-namespace.ts).
    expect(used.has(nodeExecutor.peerId)).toBe(true)
    expect(statusEvents).toBeGreaterThan(0)
    console.log(`sdk job: ${lines.length} lines in 24 slices on ${used.size} executors (${[...used].map(id => id === nodeExecutor.peerId ? 'node' : 'tab').join(', ')}), ${job.status().retries} retries`)
  }, 300_000)

  it('runs a workflow template to completion, with its outputs and a signed record that verifies', async () => {
    const template = WORKFLOW_TEMPLATES.find(t => t.id === 'detect-and-archive')!
    const run = await submitter.workflow(template.spec, template.inputs, { timeoutMs: 30_000 })
    const { state, outputs } = await run.result()
    expect(state).toBe('completed')
    expect(typeof outputs?.stats).toBe('string')
    const archive = outputs?.archive
    const blob = Array.isArray(archive) ? archive.find(part => part.kind === 'blob') : undefined
    expect(blob).toBeDefined()
    expect((await submitter.blob((blob as { hash: string }).hash))?.byteLength).toBeGreaterThan(0)
    expect((await submitter.workflows()).map(r => r.runId)).toContain(run.runId)
    const record = await submitter.workflowRecord(run.runId)
    const report = await submitter.verifyWorkflowRecord(record)
    expect(report.receiptsChecked && report.specChecked).toBe(true)
  }, 180_000)

  it('runs the examples as a user would: a map job, a workflow from a YAML file, and an offline check of what it saved', async () => {
    const work = await dir()
    const server = harness.mesh.url
    const lines = await corpusLines(60)
    await writeFile(join(work, 'lines.txt'), lines.join('\n') + '\n')
    const map = await runExample('map-job.ts', ['--server', server, '--file', join(work, 'lines.txt'), '--dir', await dir(), '--executors', '3', '--slice', '10'], 200_000)
    expect(map.code, map.stderr).toBe(0)
    const mapped = map.stdout.trimEnd().split('\n').map(line => JSON.parse(line) as { index: number, line: string, output: string })
    expect(mapped.map(r => r.index)).toEqual(lines.map((_, i) => i))
    expect(mapped.map(r => r.output)).toEqual(await langDetectHere(lines))

    const template = WORKFLOW_TEMPLATES.find(t => t.id === 'count-languages')!
    await writeFile(join(work, 'spec.yaml'), template.spec)
    const inputArgs = Object.entries(template.inputs).flatMap(([name, value]) => ['--input', `${name}=${value}`])
    const flow = await runExample('workflow.ts', ['--server', server, '--spec', join(work, 'spec.yaml'), ...inputArgs, '--dir', await dir(), '--save', join(work, 'saved')])
    expect(flow.code, flow.stderr).toBe(0)
    expect(flow.stdout).toMatch(/^completed$/m)
    expect(flow.stdout).toMatch(/^output /m)

    const saved = join(work, 'saved')
    const check = await runExample('verify-receipt.ts', ['--server', server, join(saved, 'receipts.json'), '--record', join(saved, 'record.json'), '--spec', join(work, 'spec.yaml')])
    expect(check.code, check.stderr).toBe(0)
    expect(check.stdout).toMatch(/valid workflow record of run wf-/)
    expect(check.stdout).toMatch(/spec matches/)
    // One digit of a receipt's output hash changed: still well-formed, but not what the executor signed.
    const receipts = JSON.parse(await readFile(join(saved, 'receipts.json'), 'utf8')) as Array<{ outputHash: string }>
    receipts[0]!.outputHash = (receipts[0]!.outputHash.startsWith('0') ? '1' : '0') + receipts[0]!.outputHash.slice(1)
    await writeFile(join(work, 'tampered.json'), JSON.stringify(receipts))
    const tampered = await runExample('verify-receipt.ts', ['--server', server, join(work, 'tampered.json')])
    expect(tampered.code).toBe(1)
    expect(tampered.stderr).toMatch(/^ReceiptSignatureError: /m)
  }, 480_000)
})
