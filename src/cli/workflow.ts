/**
 * `zerostate workflow run|resume|list|log`: a workflow (docs/workflow-spec.md)
 * from a terminal, through `mesh.workflow()` and `mesh.resumeWorkflow()`.
 * `run` takes a spec file (YAML or JSON) or a template, with `--input
 * name=value|name=@file|name=@dir/`; `--watch` shows the steps live (a table
 * redrawn on a terminal, a line per change elsewhere, JSON Lines with
 * --json); at the end the outputs (text, or blobs saved with `--out DIR`) and,
 * with `--record FILE`, the run's signed record. The run is checkpointed in
 * the peer's directory: Ctrl-C stops driving it without canceling it, so
 * `workflow resume RUN_ID` (same --dir) goes on without running a finished
 * step again. `list` and `log` read the directory only (no mesh).
 */
import { existsSync } from 'node:fs'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Option, type Command } from 'commander'
import { DEFAULT_SERVER } from '../peer/connect.node.ts'
import { WORKFLOW_TEMPLATES, type WorkflowTemplate } from '../peer/workflow-templates.ts'
import type { WorkflowInputGiven } from '../peer/workflow-inputs.ts'
import type { WorkflowOptions } from '../peer/workflows.ts'
import type { WorkflowResult, WorkflowRunner } from '../orchestration/workflow/runner/index.ts'
import type { RunEvent, RunStatus } from '../orchestration/workflow/scheduler/index.ts'
import { parseWorkflowSpec, type WorkflowSpec } from '../orchestration/workflow/spec/index.ts'
import { receiptHash } from '../receipts/index.ts'
import { defaultStoreDir, openSqliteStore } from '../storage/sqlite-store.node.ts'
import type { ZeroStateRecords } from '../peer/store.ts'
import {
  EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, describeOutput, errorLine, foldStepTimings, formatDuration, logLine, parseCount, parseInputSpec, runLine,
  stepLine, stepRows, table, type OutputJson, type StepRow, type StepTiming
} from './cli-output.ts'
import { addPlanCommand } from './workflow-plan.ts'
import { addMeshOptions, collect, withMesh, writeFilesUnder, writeOut, type MeshCliIo, type MeshOptions, type Session } from './mesh-session.ts'

interface RunOptions extends MeshOptions {
  template?: string
  input: string[]
  watch: boolean
  out?: string
  record?: string
  receipts?: string
  taskTimeout?: string
  fuel?: string
  maxPrice?: string
  /** False with --no-verify. */
  verify?: boolean
}

/** How often the live table is redrawn at most, and at least (for the running steps' durations). */
const REDRAW_MS = 250
const TICK_MS = 1000

/** The spec's text: the file's, or the template's (UsageError naming the templates otherwise). */
export async function specTextOf (file: string | undefined, templateId: string | undefined): Promise<{ text: string, template?: WorkflowTemplate }> {
  if ((file === undefined) === (templateId === undefined)) throw new UsageError('give a spec file or --template ID (one of them)')
  if (templateId !== undefined) {
    const template = WORKFLOW_TEMPLATES.find(t => t.id === templateId)
    if (template === undefined) throw new UsageError(`no template "${templateId}": ${WORKFLOW_TEMPLATES.map(t => t.id).join(', ')}`)
    return { text: template.spec, template }
  }
  try {
    return { text: await readFile(file!, 'utf8') }
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`)
  }
}

/**
 * The run's inputs from `--input` specs, by the spec's declared types: a
 * json input parsed, a bytes input a file's bytes, a files input a
 * directory's files (or one file), a text input the text or a file's text.
 * Undeclared names are passed on for the run to refuse.
 */
export async function workflowInputsOf (spec: WorkflowSpec, specs: readonly string[]): Promise<Record<string, WorkflowInputGiven>> {
  const inputs: Record<string, WorkflowInputGiven> = {}
  for (const given of specs) {
    const input = parseInputSpec(given)
    const type = Object.hasOwn(spec.inputs ?? {}, input.name) ? spec.inputs?.[input.name]?.type : undefined
    try {
      if ('value' in input) {
        inputs[input.name] = type === 'json' ? JSON.parse(input.value) as WorkflowInputGiven : type === 'bytes' ? new TextEncoder().encode(input.value) : input.value
      } else if (type === 'files') {
        inputs[input.name] = await filesOf(input.path)
      } else {
        const bytes = new Uint8Array(await readFile(input.path))
        inputs[input.name] = type === 'bytes' ? bytes : type === 'json' ? JSON.parse(new TextDecoder().decode(bytes)) as WorkflowInputGiven : new TextDecoder().decode(bytes)
      }
    } catch (err) {
      throw new UsageError(`--input ${given}: ${(err as Error).message}`)
    }
  }
  return inputs
}

/** A files input from a path: every file of a directory by name, or one file under its own name. */
async function filesOf (path: string): Promise<Record<string, Uint8Array>> {
  if (!(await stat(path)).isDirectory()) return { [basename(path)]: new Uint8Array(await readFile(path)) }
  const names = (await readdir(path, { withFileTypes: true })).filter(entry => entry.isFile()).map(entry => entry.name).sort()
  return Object.fromEntries(await Promise.all(names.map(async name => [name, new Uint8Array(await readFile(join(path, name)))])))
}

/** A template's example inputs for those not given: its texts, and its example files (fetched from the server when they are URLs). */
async function templateInputs (template: WorkflowTemplate, spec: WorkflowSpec, given: Record<string, WorkflowInputGiven>, server: string, signal: AbortSignal): Promise<Record<string, WorkflowInputGiven>> {
  const inputs: Record<string, WorkflowInputGiven> = {}
  for (const [name, value] of Object.entries(template.inputs)) if (!Object.hasOwn(given, name)) inputs[name] = value
  for (const [name, files] of Object.entries(template.files ?? {})) {
    if (Object.hasOwn(given, name)) continue
    const named: Record<string, Uint8Array> = {}
    for (const file of files) {
      if ('text' in file) {
        named[file.name] = new TextEncoder().encode(file.text)
        continue
      }
      const response = await fetch(new URL(file.url, server.endsWith('/') ? server : `${server}/`), { signal })
      if (!response.ok) throw new RangeError(`the template's example ${file.url}: HTTP ${response.status} (give --input ${name}=@…)`)
      named[file.name] = new Uint8Array(await response.arrayBuffer())
    }
    inputs[name] = spec.inputs?.[name]?.type === 'bytes' ? Object.values(named)[0] ?? new Uint8Array(0) : named
  }
  return inputs
}

function limitsOf (options: RunOptions): WorkflowOptions {
  return {
    ...(options.taskTimeout === undefined ? {} : { timeoutMs: parseCount('--task-timeout', options.taskTimeout, 1) }),
    ...(options.fuel === undefined ? {} : { fuel: parseCount('--fuel', options.fuel, 1) }),
    ...(options.maxPrice === undefined ? {} : { maxTotalPrice: parseCount('--max-price', options.maxPrice, 0) }),
    ...(options.verify === false ? { verify: false } : {})
  }
}

export function addWorkflowCommand (program: Command, io: MeshCliIo, setStatus: (code: number) => void): void {
  const workflow = program.command('workflow').description('run workflows (DAGs of tasks) on the mesh; resume, list and read their runs')
  const withRunOptions = (command: Command): Command => addMeshOptions(command
    .option('--watch', 'show each step\'s state, executor, progress and duration as the run goes', false)
    .option('--out <dir>', 'save the outputs that are files here')
    .option('--record <file>', 'write the run\'s signed record here once it ends (check it with `zerostate receipt verify`)')
    .option('--receipts <file>', 'write the receipts of its steps here (a JSON array)')
    .option('--task-timeout <ms>', 'each step\'s wall-clock limit, unless the step sets its own')
    .option('--fuel <n>', 'each step\'s fuel, unless the step sets its own')
    .option('--max-price <µ>', 'the most each step may cost, micro-units')
    .option('--no-verify', 'do not check steps\' results by this peer\'s verification policy (docs/trust-and-payments.md §3)'))
  withRunOptions(workflow.command('run')
    .description('run a workflow; Ctrl-C leaves it resumable (`workflow resume RUN_ID`, same --dir)')
    .argument('[spec]', 'the spec file (YAML or JSON)')
    .option('--template <id>', `a ready-made workflow: ${WORKFLOW_TEMPLATES.map(t => t.id).join(', ')}`)
    .option('--input <name=value>', 'an input: name=value, name=@file (a file\'s text or bytes), name=@dir/ (a files input) (repeatable)', collect, []))
    .action(async (file: string | undefined, options: RunOptions) => { setStatus(await runWorkflow(file, options, io)) })
  withRunOptions(workflow.command('resume')
    .description('go on with a run this --dir started and left (Ctrl-C, a crash): finished steps are not run again')
    .argument('<runId>'))
    .action(async (runId: string, options: RunOptions) => {
      let limits: WorkflowOptions
      try {
        limits = limitsOf(options)
      } catch (err) {
        io.stderr.write(`zerostate workflow resume: ${(err as Error).message}\n`)
        return setStatus(EXIT_USAGE)
      }
      setStatus(await withMesh(options, io, async session => follow(session, await session.mesh.resumeWorkflow(runId, limits), options, undefined)))
    })
  addPlanCommand(workflow, io, setStatus)
  workflow.command('list')
    .description('the runs kept in --dir, newest first (no mesh needed)')
    .addOption(dirOption())
    .option('--json', 'a JSON array', false)
    .action(async (options: { dir?: string, json: boolean }) => {
      setStatus(await withStore(options.dir, io, async store => {
        const runs = (await store.listRuns()).sort((x, y) => y.createdAt - x.createdAt)
        await writeOut(io.stdout, options.json
          ? `${JSON.stringify(runs.map(({ specText: _spec, inputs: _inputs, ...run }) => run))}\n`
          : runs.length === 0 ? '' : `${runs.map(runLine).join('\n')}\n`)
        return EXIT_OK
      }))
    })
  workflow.command('log')
    .description('a run\'s log: every step and item scheduled, started, succeeded, failed… (no mesh needed)')
    .argument('<runId>')
    .addOption(dirOption())
    .option('--json', 'a JSON array of the events', false)
    .action(async (runId: string, options: { dir?: string, json: boolean }) => {
      setStatus(await withStore(options.dir, io, async store => {
        if (await store.getRun(runId) === undefined) throw new RangeError(`no workflow run ${runId} in ${options.dir ?? defaultStoreDir(io.env)}`)
        const events = await store.listRunEvents(runId) as RunEvent[]
        await writeOut(io.stdout, options.json ? `${JSON.stringify(events)}\n` : events.length === 0 ? '' : `${events.map(logLine).join('\n')}\n`)
        return EXIT_OK
      }))
    })
}

function dirOption (): Option {
  return new Option('--dir <dir>', 'the peer state the runs were made in').env('ZEROSTATE_HOME')
}

/** Opens the store in `dir` (read only what is there: no store, no runs) for `body`; exit 1 with the error (StoreLockedError: another process holds it). */
async function withStore (dir: string | undefined, io: MeshCliIo, body: (store: Awaited<ReturnType<typeof openSqliteStore<ZeroStateRecords>>>) => Promise<number>): Promise<number> {
  const where = dir ?? defaultStoreDir(io.env)
  if (!existsSync(join(where, 'peer.db'))) {
    io.stderr.write(`zerostate workflow: no peer state in ${where} (give the --dir the runs were made with)\n`)
    return EXIT_FAILED
  }
  let store
  try {
    store = await openSqliteStore<ZeroStateRecords>(where)
    return await body(store)
  } catch (err) {
    io.stderr.write(`${errorLine(err)}\n`)
    return EXIT_FAILED
  } finally {
    store?.close()
  }
}

async function runWorkflow (file: string | undefined, options: RunOptions, io: MeshCliIo): Promise<number> {
  let specText: string
  let template: WorkflowTemplate | undefined
  let spec: WorkflowSpec
  let inputs: Record<string, WorkflowInputGiven>
  let limits: WorkflowOptions
  try {
    ({ text: specText, template } = await specTextOf(file, options.template))
    try {
      spec = parseWorkflowSpec(specText)
    } catch (err) {
      throw new UsageError(errorLine(err))
    }
    inputs = await workflowInputsOf(spec, options.input)
    limits = limitsOf(options)
  } catch (err) {
    io.stderr.write(`zerostate workflow run: ${err instanceof UsageError ? err.message : errorLine(err)}\n`)
    return EXIT_USAGE
  }
  return withMesh(options, io, async session => {
    if (template !== undefined) {
      const server = options.server ?? io.env.ZEROSTATE_SERVER ?? DEFAULT_SERVER
      Object.assign(inputs, await templateInputs(template, spec, inputs, server, session.signal))
    }
    // No signal: Ctrl-C stops driving the run (follow), it does not cancel it.
    return follow(session, await session.mesh.workflow(specText, inputs, limits), options, spec)
  })
}

/**
 * Follows a run to its end — the live table with --watch — then writes its
 * outputs (and its record). On Ctrl-C (or --timeout) the runner is stopped,
 * not canceled: the run stays resumable, and the command says how.
 */
async function follow (session: Session, runner: WorkflowRunner, options: RunOptions, spec: WorkflowSpec | undefined): Promise<number> {
  const { mesh, io, json, signal, note } = session
  const { runId } = runner
  const resume = `zerostate workflow resume ${runId}${options.dir === undefined ? '' : ` --dir ${options.dir}`}`
  const timings = foldStepTimings(new Map<string, StepTiming>(), await mesh.workflowLog(runId))
  const view = options.watch ? new StepView(session, timings) : undefined
  if (json && options.watch) await writeOut(io.stdout, `${JSON.stringify({ event: 'started', runId })}\n`)
  else if (!json) note(`run ${runId}${spec?.name === undefined ? '' : ` (${spec.name})`}`)
  runner.addEventListener('step', event => {
    foldStepTimings(timings, [(event as unknown as { detail: { event: RunEvent } }).detail.event])
    view?.update(runner.status())
  })
  runner.addEventListener('status', event => { view?.update((event as unknown as { detail: RunStatus }).detail) })
  view?.update(runner.status())
  const stopped = new Promise<'stopped'>(resolve => {
    if (signal.aborted) resolve('stopped')
    signal.addEventListener('abort', () => { resolve('stopped') }, { once: true })
  })
  let outcome: WorkflowResult | 'stopped'
  try {
    outcome = await Promise.race([runner.result(), stopped])
  } finally {
    view?.stop()
  }
  if (outcome === 'stopped') {
    await runner.stop()
    const { state, counts } = runner.status()
    if (json) await writeOut(io.stdout, `${JSON.stringify({ event: 'interrupted', runId, state, counts, resume })}\n`)
    note(`run ${runId} left ${state}, ${counts.completed} step${counts.completed === 1 ? '' : 's'} completed: resume it with\n  ${resume}`)
    if (session.interrupted()) return EXIT_FAILED // withMesh exits 130 (143) once interrupted
    throw signal.reason
  }
  const { state, outputs = {} } = outcome
  const sizes = new Map<string, number>()
  const saved = new Map<string, string>()
  const outputJson: Record<string, OutputJson> = {}
  for (const [name, binding] of Object.entries(outputs)) {
    if (typeof binding === 'string') {
      outputJson[name] = binding
      continue
    }
    const blobs = binding.filter(part => part.kind === 'blob')
    const parts: Exclude<OutputJson, string> = []
    for (const part of binding) {
      if (part.kind !== 'blob') {
        parts.push(part.kind === 'text' ? { kind: 'text', text: part.text } : { kind: part.kind })
        continue
      }
      const bytes = await mesh.blob(part.hash)
      sizes.set(part.hash, bytes?.byteLength ?? 0)
      if (options.out !== undefined && bytes !== undefined) {
        const [path] = await writeFilesUnder(options.out, [[blobs.length === 1 ? name : `${name}.${blobs.indexOf(part)}`, bytes]])
        saved.set(part.hash, path!)
      }
      parts.push({ kind: 'blob', hash: part.hash, bytes: bytes?.byteLength ?? 0, ...(saved.has(part.hash) ? { path: saved.get(part.hash)! } : {}) })
    }
    outputJson[name] = parts
  }
  if (options.record !== undefined || options.receipts !== undefined) {
    const record = await mesh.workflowRecord(runId)
    if (options.record !== undefined) await writeFile(options.record, `${JSON.stringify(record, null, 2)}\n`)
    if (options.receipts !== undefined) {
      const hashes = new Set(record.steps.map(step => step.receiptHash))
      const receipts = (await mesh.history()).map(kept => kept.receipt).filter(receipt => hashes.has(receiptHash(receipt)))
      await writeFile(options.receipts, `${JSON.stringify(receipts, null, 2)}\n`)
    }
  }
  const rows = stepRows(runner.status(), timings, io.now())
  if (json) {
    await writeOut(io.stdout, `${JSON.stringify({ event: 'result', runId, state, outputs: outputJson, steps: rows })}\n`)
  } else {
    const lines = Object.entries(outputs).map(([name, binding]) => describeOutput(name, binding, sizes, saved))
    await writeOut(io.stdout, `${[state, ...lines].join('\n')}\n`)
  }
  return state === 'completed' ? EXIT_OK : EXIT_FAILED
}

/**
 * The steps shown as the run goes (--watch): on a terminal a table redrawn
 * in place (at most every REDRAW_MS, and every second for the durations);
 * elsewhere a line per step change on stderr; with --json a JSON Line per
 * step change on stdout.
 */
class StepView {
  readonly #session: Session
  readonly #timings: ReadonlyMap<string, StepTiming>
  readonly #live: boolean
  readonly #shown = new Map<string, string>()
  #status: RunStatus | undefined
  #drawnLines = 0
  #lastDraw = 0
  #pending: ReturnType<typeof setTimeout> | undefined
  readonly #tick: ReturnType<typeof setInterval> | undefined

  constructor (session: Session, timings: ReadonlyMap<string, StepTiming>) {
    this.#session = session
    this.#timings = timings
    this.#live = !session.json && session.io.stderr.isTTY === true
    this.#tick = this.#live ? setInterval(() => { this.#draw() }, TICK_MS) : undefined
  }

  update (status: RunStatus): void {
    this.#status = status
    if (!this.#live) {
      this.#lines()
      return
    }
    const wait = this.#lastDraw + REDRAW_MS - this.#session.io.now()
    if (wait <= 0) this.#draw()
    else this.#pending ??= setTimeout(() => { this.#pending = undefined; this.#draw() }, wait)
  }

  stop (): void {
    clearInterval(this.#tick)
    clearTimeout(this.#pending)
    if (this.#live) this.#draw()
  }

  #rows (): StepRow[] {
    return this.#status === undefined ? [] : stepRows(this.#status, this.#timings, this.#session.io.now())
  }

  /** A line (or JSON Line) for each step whose row changed, durations aside. */
  #lines (): void {
    const { io, json } = this.#session
    for (const row of this.#rows()) {
      const key = `${row.state}|${row.executor}|${row.progress}`
      if (this.#shown.get(row.step) === key) continue
      this.#shown.set(row.step, key)
      if (json) io.stdout.write(`${JSON.stringify({ event: 'step', runId: this.#status!.runId, ...row })}\n`)
      else io.stderr.write(`  ${stepLine(row)}\n`)
    }
  }

  #draw (): void {
    if (this.#status === undefined) return
    this.#lastDraw = this.#session.io.now()
    const text = `${table(['step', 'state', 'executor', 'progress', 'duration'],
      this.#rows().map(row => [row.step, row.state, row.executor, row.progress, row.durationMs === undefined ? '' : formatDuration(row.durationMs)]), this.#session.color)}\n${this.#status.state}`
    // Back to the first line of the last drawing, cleared to the end of the screen (ECMA-48 CPL, ED).
    const up = this.#drawnLines === 0 ? '' : `\x1b[${this.#drawnLines}F\x1b[J`
    this.#session.io.stderr.write(`${up}${text}\n`)
    this.#drawnLines = text.split('\n').length
  }
}
