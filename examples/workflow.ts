/**
 * A workflow from Node: a spec in YAML (docs/workflow-spec.md) run across the
 * mesh with its inputs, each step's state printed as it changes, then the
 * outputs. Its checkpoints are in the peer's directory: `--resume RUN_ID`
 * goes on with a run a previous process left. `--save DIR` writes the run's
 * signed record and the receipts of its steps, for examples/verify-receipt.ts.
 *
 *   npx node --experimental-transform-types examples/workflow.ts --spec spec.yaml --input text=@lines.txt [--server URL] [--dir DIR] [--save DIR]
 *   npx node --experimental-transform-types examples/workflow.ts --template count-languages --input text="$(cat lines.txt)"
 *
 * `--input name=value` gives a text or json input; `name=@path` reads a file:
 * text for a text input, the bytes for a bytes input, every file of a
 * directory for a files input.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { connect, parseWorkflowSpec, receiptHash, WORKFLOW_TEMPLATES, type RunStatus, type WorkflowInputGiven, type WorkflowRunner } from 'zerostate'

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'http://127.0.0.1:8080' },
    spec: { type: 'string' },
    template: { type: 'string' },
    input: { type: 'string', multiple: true, default: [] },
    resume: { type: 'string' },
    dir: { type: 'string' },
    save: { type: 'string' },
    executors: { type: 'string', default: '1' }
  }
})

const mesh = await connect({ server: values.server, ...(values.dir === undefined ? {} : { dir: values.dir }) })
try {
  await mesh.waitForExecutors(Number(values.executors))
  let run: WorkflowRunner
  if (values.resume !== undefined) {
    run = await mesh.resumeWorkflow(values.resume)
  } else {
    const specText = values.template !== undefined
      ? WORKFLOW_TEMPLATES.find(t => t.id === values.template)?.spec ?? fail(`no template ${values.template}: ${WORKFLOW_TEMPLATES.map(t => t.id).join(', ')}`)
      : values.spec !== undefined ? await readFile(values.spec, 'utf8') : fail('--spec FILE, --template ID or --resume RUN_ID is required')
    // Checked here first: a WorkflowSpecError names every problem with its line and column.
    const spec = parseWorkflowSpec(specText)
    const inputs: Record<string, WorkflowInputGiven> = {}
    for (const given of values.input) {
      const [name, value] = [given.slice(0, given.indexOf('=')), given.slice(given.indexOf('=') + 1)]
      const type = spec.inputs?.[name]?.type
      if (!value.startsWith('@')) inputs[name] = type === 'json' ? JSON.parse(value) : value
      else if (type === 'bytes') inputs[name] = new Uint8Array(await readFile(value.slice(1)))
      else if (type === 'files') inputs[name] = await filesOf(value.slice(1))
      else inputs[name] = await readFile(value.slice(1), 'utf8')
    }
    run = await mesh.workflow(specText, inputs, { timeoutMs: 30_000 })
  }
  console.log(`run ${run.runId}`)
  // Each step's state, printed when it changes.
  const seen = new Map<string, string>()
  run.addEventListener('status', event => {
    for (const step of (event as unknown as { detail: RunStatus }).detail.steps) {
      const line = `${step.state}${step.items === undefined ? '' : ` ${step.items.done}/${step.items.total}`}`
      if (seen.get(step.name) !== line) console.log(`  ${step.name}: ${line}${step.lastError === undefined ? '' : ` (${step.lastError.name})`}`)
      seen.set(step.name, line)
    }
  })
  const { state, outputs } = await run.result()
  console.log(`${state}`)
  for (const [name, binding] of Object.entries(outputs ?? {})) {
    // A text output is a string; a file output (steps.X.files["f"]) a blob, by its hash, in this peer's store.
    if (typeof binding === 'string') console.log(`output ${name}: ${binding.trimEnd()}`)
    else for (const part of binding) console.log(`output ${name}: ${part.kind === 'blob' ? `${(await mesh.blob(part.hash))?.byteLength ?? '?'} bytes, sha256 ${part.hash}` : JSON.stringify(part).slice(0, 200)}`)
  }
  if (values.save !== undefined) {
    // The signed record names every step's receipt by hash; the receipts themselves are in this peer's history.
    const record = await mesh.workflowRecord(run.runId)
    const hashes = new Set(record.steps.map(step => step.receiptHash))
    const receipts = (await mesh.history()).map(kept => kept.receipt).filter(receipt => hashes.has(receiptHash(receipt)))
    await mkdir(values.save, { recursive: true })
    await writeFile(join(values.save, 'record.json'), JSON.stringify(record, null, 2))
    await writeFile(join(values.save, 'receipts.json'), JSON.stringify(receipts, null, 2))
    console.log(`saved the record and ${receipts.length} receipts in ${values.save}`)
  }
  process.exitCode = state === 'completed' ? 0 : 1
} finally {
  await mesh.close()
}
// The WebRTC transport's native threads outlive close(): leave explicitly, as `zerostate contribute` does.
process.exit()

function fail (message: string): never {
  throw new TypeError(message)
}

/** Every file of a directory, by name. */
async function filesOf (dir: string): Promise<Record<string, Uint8Array>> {
  const names = (await readdir(dir, { withFileTypes: true })).filter(entry => entry.isFile()).map(entry => entry.name)
  return Object.fromEntries(await Promise.all(names.map(async name => [name, new Uint8Array(await readFile(join(dir, name)))])))
}
