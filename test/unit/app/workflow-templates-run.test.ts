/**
 * Every template of the Workflows view, run end to end with its example
 * inputs: the workflow runner over a local dispatch twin that runs each task
 * in Node's real sandbox (test/support/local-workflow.ts) with the committed
 * modules, the example files read from where the server serves them from.
 * What comes out is checked against the workloads themselves.
 */
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeWorkflowInputs } from '../../../src/app/workflow-inputs.ts'
import { WORKFLOW_TEMPLATES } from '../../../src/app/workflow-templates.ts'
import type { WorkflowTemplate } from '../../../src/app/workflow-templates.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import type { WorkerPool } from '../../../src/execution/worker-pool.ts'
import { startWorkflow } from '../../../src/orchestration/workflow/runner/index.ts'
import type { WorkflowResult } from '../../../src/orchestration/workflow/runner/index.ts'
import type { Binding, BindingPart, RunStatus } from '../../../src/orchestration/workflow/scheduler/index.ts'
import { parseWorkflowSpec } from '../../../src/orchestration/workflow/spec/index.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt } from '../execution/samples.ts'
import { LOCAL_DEFAULTS, localModule, localWorkflow, sampleFile } from '../../support/local-workflow.ts'
import type { LocalWorkflow } from '../../support/local-workflow.ts'

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes)
const template = (id: string): WorkflowTemplate => WORKFLOW_TEMPLATES.find(t => t.id === id)!

interface Ran { result: WorkflowResult, status: RunStatus, local: LocalWorkflow }

/** The template's example files as bytes, by input. */
async function exampleFiles (t: WorkflowTemplate): Promise<Record<string, Record<string, Uint8Array>>> {
  const files: Record<string, Record<string, Uint8Array>> = {}
  for (const [input, list] of Object.entries(t.files ?? {})) {
    files[input] = {}
    for (const file of list) files[input][file.name] = 'url' in file ? await sampleFile(file.url) : new TextEncoder().encode(file.text)
  }
  return files
}

/** Runs a template with its examples: text inputs as they are, a bytes input's one file, a files input's files. */
async function runTemplate (id: string): Promise<Ran> {
  const t = template(id)
  const spec = parseWorkflowSpec(t.spec)
  const local = localWorkflow({ slots: 4 })
  const given: Record<string, unknown> = { ...t.inputs }
  for (const [input, files] of Object.entries(await exampleFiles(t))) {
    given[input] = spec.inputs?.[input]?.type === 'bytes' ? Object.values(files)[0] : files
  }
  try {
    const inputs = await storeWorkflowInputs(spec, given as Parameters<typeof storeWorkflowInputs>[1], local.components.blobs.put)
    const runner = await startWorkflow(local.components, { runId: `t-${id}`, spec, inputs, defaults: LOCAL_DEFAULTS, maxInFlight: 4 })
    const result = await runner.result()
    return { result, status: runner.status(), local }
  } finally {
    local.stop()
  }
}

const states = (ran: Ran): Record<string, string> => Object.fromEntries(ran.status.steps.map(s => [s.name, s.state]))
const why = (ran: Ran): string => JSON.stringify(ran.status.steps.filter(s => s.lastError !== undefined).map(s => [s.name, s.lastError]))
const outputText = (binding: Binding | undefined): string => typeof binding === 'string' ? binding : ''
const itemsOf = (binding: Binding | undefined): Extract<BindingPart, { kind: 'items' }> => {
  const [part] = binding as BindingPart[]
  if (part?.kind !== 'items') throw new Error(`not an items binding: ${JSON.stringify(binding)}`)
  return part
}

describe('the workflow templates, run in Node\'s sandbox with their examples', () => {
  let pool: WorkerPool
  /** Runs a module directly (no workflow), to compare with. */
  const direct = async (id: string, stdin: Uint8Array | string, args: string[] = []): Promise<string> => {
    const { bytes, hash } = await localModule(id)
    const result = await pool.run(hash, bytes, { args, env: [], stdin: typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin, files: [], seed: new Uint8Array(32) }, {
      timeoutMs: 120_000, memoryLimitBytes: 64 << 20, fuel: 200_000_000_000
    })
    expect(result.status, text(result.stderr)).toBe('ok')
    return text(result.stdout)
  }

  beforeAll(async () => {
    await ensureSamplesBuilt() // echo and text-stats are AssemblyScript samples
    pool = createNodeWorkerPool({ slots: 1 })
  }, COMPILE_TIMEOUT_MS)

  afterAll(() => { pool?.stop() })

  it('count-languages: splits into chunks, detects every line, counts the lines per language', async () => {
    const ran = await runTemplate('count-languages')
    expect(ran.result.state, why(ran)).toBe('completed')
    expect(ran.status.steps.find(s => s.name === 'detect')?.items).toEqual({ done: 3, total: 3 })
    const counts = JSON.parse(outputText(ran.result.outputs?.counts)) as { total: number, counts: Record<string, number> }
    expect(counts).toMatchObject({ total: 12, counts: { eng: 4, deu: 3, fra: 3, spa: 2 } })
    // The same as lang-detect over the whole text at once.
    const whole = (await direct('lang-detect', template('count-languages').inputs.text!, ['--lines', '--top', '1'])).trim().split('\n')
    const expected: Record<string, number> = {}
    for (const line of whole) {
      const language = (JSON.parse(line) as { language: string }).language
      expected[language] = (expected[language] ?? 0) + 1
    }
    expect(counts.counts).toEqual(expected)
  }, 120_000)

  it('faces: detects, crops each face, classifies each crop and counts the expressions — as the faces workload does in one module', async () => {
    const ran = await runTemplate('faces')
    expect(ran.result.state, why(ran)).toBe('completed')
    expect(states(ran)).toEqual({ detect: 'completed', crop: 'completed', expression: 'completed', report: 'completed' })
    const photo = await sampleFile('samples/faces/example.jpg')
    const all = JSON.parse(await direct('faces', photo)) as { faces: Array<{ expression: string }> }
    const expected: Record<string, number> = {}
    for (const face of all.faces) expected[face.expression] = (expected[face.expression] ?? 0) + 1
    expect(all.faces.length).toBe(5)
    expect(ran.status.steps.find(s => s.name === 'expression')?.items).toEqual({ done: 5, total: 5 })
    expect(JSON.parse(outputText(ran.result.outputs?.expressions))).toMatchObject({ total: 5, items: 5, missing: 0, counts: expected })
    expect(expected).toEqual({ happy: 4, sad: 1 })
    // The crops, returned as the faces output: one PNG per face, the size of its box (clipped, floored).
    const { items } = itemsOf(ran.result.outputs?.faces)
    expect(items.map(item => (JSON.parse(item!.stdout) as { output: { width: number } }).output.width)).toEqual([155, 150, 146, 138, 118])
  }, 300_000)

  it('json-files-validate: one validation per file, an invalid document a result too (exit 1 counts), and the summary of both', async () => {
    const ran = await runTemplate('json-files-validate')
    expect(ran.result.state, why(ran)).toBe('completed')
    // order-2's quantity is 0: json-validate exits 1 with its report, which the step's exitCodes [0, 1] keeps.
    expect(states(ran)).toEqual({ validate: 'completed', summary: 'completed' })
    expect(ran.status.steps[0]).toMatchObject({ items: { done: 3, total: 3 }, attempts: 3 })
    expect(JSON.parse(outputText(ran.result.outputs?.summary))).toEqual({ total: 3, items: 3, missing: 0, counts: { true: 2, false: 1 } })
  }, 120_000)

  it('thumbnails: one thumbnail per image, a PNG within 128×128 keeping the aspect ratio', async () => {
    const ran = await runTemplate('thumbnails')
    expect(ran.result.state, why(ran)).toBe('completed')
    const { items } = itemsOf(ran.result.outputs?.thumbnails)
    expect(items).toHaveLength(3)
    // Items in name order: group.jpg (960×699), party.jpg (1224×816), portrait.jpg (316×312).
    const sizes = items.map(item => {
      const summary = JSON.parse(item!.stdout) as { input: { width: number, height: number }, output: { width: number, height: number, format: string } }
      const png = ran.local.blobs.get(item!.files['out.png']!)!
      expect(text(png.subarray(1, 4))).toBe('PNG')
      // The PNG's IHDR holds its width and height, big-endian, at bytes 16 and 20.
      const view = new DataView(png.buffer, png.byteOffset)
      expect([view.getUint32(16), view.getUint32(20)]).toEqual([summary.output.width, summary.output.height])
      return [summary.input.width, summary.input.height, summary.output.width, summary.output.height]
    })
    expect(sizes).toEqual([[960, 699, 128, 93], [1224, 816, 128, 85], [316, 312, 128, 126]])
  }, 120_000)

  it('detect-and-archive: detects every line, checks the detections and archives them', async () => {
    const ran = await runTemplate('detect-and-archive')
    expect(ran.result.state, why(ran)).toBe('completed')
    expect(states(ran)).toEqual({ detect: 'completed', stats: 'completed', collect: 'completed', archive: 'completed', alarm: 'skipped' })
    expect(outputText(ran.result.outputs?.stats)).toMatch(/lines: 5/)
    const [archive] = ran.result.outputs?.archive as BindingPart[]
    const detections = JSON.parse(gunzipSync(ran.local.blobs.get((archive as { hash: string }).hash)!).toString()) as Array<{ language: string }>
    expect(detections.map(d => d.language)).toEqual(['eng', 'deu', 'fra', 'spa', 'rus'])
  }, 120_000)

  it('csv-check-compress: converts, validates and compresses a CSV that matches its schema', async () => {
    const ran = await runTemplate('csv-check-compress')
    expect(ran.result.state, why(ran)).toBe('completed')
    expect(states(ran)).toEqual({ convert: 'completed', validate: 'completed', compress: 'completed', report: 'skipped' })
    expect(JSON.parse(outputText(ran.result.outputs?.json))).toEqual([
      { city: 'Tokyo', country: 'Japan', population: 37400068 },
      { city: 'Delhi', country: 'India', population: 28514000 },
      { city: 'Zürich', country: 'Switzerland', population: 434335 }
    ])
  }, 120_000)

  it('covers every template', () => {
    // shared-notes needs a signer for its context entries: test/unit/peer/workflow-context-template.test.ts runs it.
    expect(WORKFLOW_TEMPLATES.map(t => t.id).sort()).toEqual(['count-languages', 'csv-check-compress', 'detect-and-archive', 'faces', 'json-files-validate', 'shared-notes', 'thumbnails'])
  })
})
