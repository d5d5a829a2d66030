/**
 * The real workloads (src/workloads/) in Chromium, each with its sample's
 * example input and with bad input:
 *  - the same stdout, stderr, exit code, output files and fuel in this tab's
 *    sandbox as in Node's (the receipt a witness re-checks anywhere depends on it);
 *  - run by one tab for another over the mesh, with a receipt that verifies
 *    outside the browser; bad input ends with exit status 2 and one line on
 *    stderr, and the executor keeps serving;
 *  - chosen in the page's grouped sample picker and submitted with its example
 *    (an image for the image tasks), the result drawn on its task card
 *    (screenshots in test/artifacts/workload-<id>.png).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../src/core/hash.ts'
import { createNodeWorkerPool } from '../../src/execution/node-host.node.ts'
import type { ExecutionResult } from '../../src/execution/types.ts'
import { verifyReceipt } from '../../src/receipts/receipt.ts'
import type { Receipt } from '../../src/receipts/types.ts'
import { workloadExamples, type WorkloadExample, type WorkloadInput } from '../support/workload-examples.ts'
import { ARTIFACTS, startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'
import { submitFromForm } from './task-cards.ts'

const examples = await workloadExamples()
const byId = new Map(examples.map(example => [example.id, example]))
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
const bytesOf = (value: string): Uint8Array => new TextEncoder().encode(value)

/** Inputs each workload must refuse with exit status 2 and one line on stderr. */
function badInputs (example: WorkloadExample): Array<{ name: string } & WorkloadInput> {
  const withStdin = (name: string, stdin: Uint8Array, args = example.args) => ({ name, args, stdin, files: example.files })
  if (example.image) {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...bytesOf('not really a png at all')])
    return [
      withStdin('a truncated image', example.stdin.subarray(0, Math.floor(example.stdin.byteLength / 3))),
      withStdin('a corrupt PNG', png),
      withStdin('text instead of an image', bytesOf('hello'))
    ]
  }
  switch (example.id) {
    case 'lang-detect': return [withStdin('empty text', new Uint8Array()), withStdin('binary as text', new Uint8Array([0x68, 0xff, 0xfe, 0x00]))]
    case 'csv-to-json': return [withStdin('unbalanced quotes', bytesOf('a,b\n"1,2\n'))]
    case 'json-validate': return [
      withStdin('a document that is not JSON', bytesOf('{"a": ')),
      { name: 'a schema that is not JSON Schema', args: example.args, stdin: bytesOf('{}'), files: [['schema.json', bytesOf('{"type": 5}')]] }
    ]
    case 'tally': return [withStdin('input that is neither JSON nor JSON Lines', bytesOf('{"language": '))]
    case 'gzip': return [withStdin('a corrupt gzip stream', new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef]), ['-d'])]
    default: return []
  }
}

interface PageRun {
  status: string
  exitCode: number
  stdout: string
  stderr: string
  fuelUsed: number | null
  files: Array<[string, string]>
}

/** Runs `input` through the page's own sandbox (window.zerostate.runLocal); bytes travel as base64. */
async function runInPage (page: Page, id: string, input: WorkloadInput): Promise<PageRun> {
  return page.evaluate(async ({ id, args, stdin, files }) => {
    const decode = (value: string): Uint8Array => Uint8Array.from(atob(value), c => c.charCodeAt(0))
    const encode = (bytes: Uint8Array): string => { let s = ''; for (const b of bytes) s += String.fromCharCode(b); return btoa(s) }
    const result = await window.zerostate.runLocal({
      module: `samples/${id}.wasm`, args, stdin: decode(stdin), files: files.map(([name, bytes]) => [name, decode(bytes)] as [string, Uint8Array]), timeoutMs: 120_000
    })
    return {
      status: result.status,
      exitCode: result.exitCode,
      stdout: encode(result.stdout),
      stderr: encode(result.stderr),
      fuelUsed: result.fuelUsed,
      files: result.files.map(([name, bytes]) => [name, encode(bytes)] as [string, string])
    }
  }, { id, args: input.args, stdin: b64(input.stdin), files: input.files.map(([name, bytes]) => [name, b64(bytes)] as [string, string]) })
}

function asPageRun (result: ExecutionResult): PageRun {
  return {
    status: result.status,
    exitCode: result.exitCode,
    stdout: b64(result.stdout),
    stderr: b64(result.stderr),
    fuelUsed: result.fuelUsed,
    files: result.files.map(([name, bytes]) => [name, b64(bytes)])
  }
}

describe('the real workloads in Chromium', () => {
  let harness: Harness
  let a: Peer
  let b: Peer
  const pool = createNodeWorkerPool({ slots: 1 })
  const nodeRun = async (example: WorkloadExample, input: WorkloadInput): Promise<ExecutionResult> =>
    pool.run(sha256Hex(example.module), new Uint8Array(example.module), { ...input, env: [], seed: new Uint8Array(32), files: input.files.map(([n, f]) => [n, new Uint8Array(f)]), stdin: new Uint8Array(input.stdin) }, { timeoutMs: 120_000, memoryLimitBytes: 50 << 20, fuel: 5e11 })

  beforeAll(async () => {
    harness = await startHarness()
    a = await harness.openPeer()
    b = await harness.openPeer()
  }, 120_000)

  afterAll(async () => {
    pool.stop()
    await harness?.close()
  })

  it('has every workload with an example', () => {
    expect(examples.map(e => e.id)).toEqual(expect.arrayContaining(['lang-detect']))
  })

  it.each(examples.map(e => [e.id, e] as const))('%s: the same output, files and fuel in Chromium as in Node, for its example and for bad input', async (_id, example) => {
    for (const [name, input] of [['the example', example] as const, ...badInputs(example).map(bad => [bad.name, bad] as const)]) {
      const [inPage, inNode] = [await runInPage(a.page, example.id, input), asPageRun(await nodeRun(example, input))]
      expect(inPage, `${example.id}: ${name}`).toEqual(inNode)
      if (name === 'the example') {
        // json-validate's example is a document with violations, which it reports with exit status 1.
        expect(inPage.exitCode, `${example.id}: ${text(Buffer.from(inPage.stderr, 'base64'))}`).toBe(example.id === 'json-validate' ? 1 : 0)
        expect(inPage.stderr).toBe('')
      } else {
        expect(inPage.exitCode, `${example.id}: ${name}`).toBe(2)
        const stderr = text(Buffer.from(inPage.stderr, 'base64'))
        expect(stderr, `${example.id}: ${name}`).toMatch(new RegExp(`^${example.id}: [^\\n]+\\n$`))
      }
    }
  }, 300_000)

  it('runs each example on another tab with a verified receipt, refuses bad input there, and the executor keeps serving', async () => {
    await waitForDirect(b.page, a.peerId)
    await a.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
    await b.page.evaluate(async () => { await window.zerostate.contribute(false) })
    for (const example of examples) {
      const want = await nodeRun(example, example)
      const outcome = await b.page.evaluate(async ({ id, args, stdin, files }) => {
        const decode = (value: string): Uint8Array => Uint8Array.from(atob(value), c => c.charCodeAt(0))
        const result = await window.zerostate.submit({ module: `samples/${id}.wasm`, args, stdin: decode(stdin), files: files.map(([n, f]) => [n, decode(f)] as [string, Uint8Array]), timeoutMs: 120_000 })
        return { stdout: new TextDecoder().decode(result.stdout), executor: result.executor, receipt: result.receipt, files: result.files?.map(([n]) => n) ?? [] }
      }, { id: example.id, args: example.args, stdin: b64(example.stdin), files: example.files.map(([n, f]) => [n, b64(f)] as [string, string]) })
      expect(outcome.executor).toBe(a.peerId)
      expect(outcome.stdout, example.id).toBe(text(want.stdout))
      expect(outcome.files, example.id).toEqual(want.files.map(([n]) => n))
      const receipt = outcome.receipt as Receipt
      expect(receipt.fuelUsed, example.id).toBe(want.fuelUsed)
      await verifyReceipt(receipt, { executor: a.peerId, submitter: b.peerId, outputHash: sha256Hex(want.stdout) })

      const [bad] = badInputs(example)
      if (bad === undefined) continue
      const refused = await b.page.evaluate(async ({ id, args, stdin, files }) => {
        const decode = (value: string): Uint8Array => Uint8Array.from(atob(value), c => c.charCodeAt(0))
        try {
          const result = await window.zerostate.submit({ module: `samples/${id}.wasm`, args, stdin: decode(stdin), files: files.map(([n, f]) => [n, decode(f)] as [string, Uint8Array]), timeoutMs: 60_000 })
          return { exitCode: result.exitCode, stderr: new TextDecoder().decode(result.stderr) }
        } catch (err) {
          return { error: `${(err as Error).name}: ${(err as Error).message}` }
        }
      }, { id: example.id, args: bad.args, stdin: b64(bad.stdin), files: bad.files.map(([n, f]) => [n, b64(f)] as [string, string]) })
      expect(refused, `${example.id}: ${bad.name}`).toMatchObject({ exitCode: 2 })
    }
  }, 600_000)

  it('offers the workloads in groups, runs each example chosen in the picker on the other tab and draws its result', async () => {
    await showSection(b.page, 'submit')
    const groups = await b.page.locator('zs-submit optgroup').evaluateAll(nodes => nodes.map(node => (node as HTMLOptGroupElement).label))
    expect(groups).toEqual(expect.arrayContaining(['AI models', 'Tools and demos']))
    await mkdir(ARTIFACTS, { recursive: true })
    for (const example of examples) {
      await b.page.getByTestId('sample-select').selectOption(example.id)
      // The example input is fetched when the sample is chosen: an image shown, or text in the box.
      if (example.image) await expect.poll(async () => b.page.getByTestId('stdin-image-preview').count()).toBe(1)
      else await expect.poll(async () => b.page.getByTestId('stdin').inputValue()).toBe(text(example.stdin))
      const card = await submitFromForm(b.page)
      await expect.poll(async () => card.getAttribute('data-phase'), { timeout: 120_000 }).toMatch(/done|failed/)
      expect(await card.getAttribute('data-phase'), example.id).toBe('done')
      expect(await card.getByTestId('receipt-status').textContent()).toMatch(/^\s*verified\s*$/)
      // What ran is the example with its arguments, as the receipt signed them (this check showed, in session 17, that
      // the card then taken as the first example's was the previous test's last task: see task-cards.ts).
      const taskId = await card.getAttribute('data-task-id')
      await expect.poll(async () => b.page.evaluate(id => window.zerostate.history().find(record => record.role === 'submitter' && record.receipt.taskId === id)?.receipt.args, taskId), { message: example.id })
        .toEqual(example.args)
      const want = await nodeRun(example, example)
      expect(await card.getByTestId('stdout').textContent(), example.id).toBe(text(want.stdout))
      if (want.files.length > 0) expect(await card.getByTestId('output-file').count()).toBe(want.files.length)
      const wantImages = want.files.filter(([, bytes]) => bytes[0] === 0x89 || bytes[0] === 0xff).length
      expect(await card.getByTestId('output-image').count(), example.id).toBe(wantImages)
      if (example.image && /"faces"/.test(text(want.stdout))) {
        const faces = (JSON.parse(text(want.stdout)) as { faces: unknown[] }).faces.length
        expect(await card.getByTestId('face-box').count(), example.id).toBe(faces)
      }
      if (example.id === 'face-expression') expect(await card.getByTestId('probability').count()).toBe(7)
      if (example.id === 'json-validate') expect(await card.getByTestId('stdout-table-caption').textContent()).toMatch(/errors · valid: false/)
      await card.screenshot({ path: join(ARTIFACTS, `workload-${example.id}.png`) })
    }
    await b.page.screenshot({ path: join(ARTIFACTS, 'workloads-submitter.png'), fullPage: true })
  }, 600_000)

  it('gives the example of an image task from the picker, and takes another image picked from a file', async () => {
    const image = examples.find(example => example.image)
    if (image === undefined) return
    await showSection(b.page, 'submit')
    await b.page.getByTestId('sample-select').selectOption(image.id)
    await expect.poll(async () => b.page.getByTestId('stdin-image-name').textContent()).toMatch(/example/)
    await b.page.getByTestId('stdin-image').setInputFiles({ name: 'not-an-image.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') })
    await expect.poll(async () => b.page.getByTestId('stdin-image-error').textContent()).toMatch(/not a PNG or JPEG/)
    await b.page.getByTestId('stdin-image').setInputFiles({ name: 'mine.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(image.stdin) })
    await expect.poll(async () => b.page.getByTestId('stdin-image-name').textContent()).toMatch(/mine\.jpg/)
    await b.page.locator('zs-submit').screenshot({ path: join(ARTIFACTS, 'workload-image-form.png') })
    expect(byId.size).toBe(examples.length)
  })
})
