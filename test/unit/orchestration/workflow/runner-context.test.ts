/**
 * The runner and the run's shared context (docs/workflow-context.md §6) over
 * the in-memory twins of runner-fixture.ts: a `read` step is given
 * /work/context.json, a `write` step's /work/context-updates.json becomes
 * entries the submitter signs (citing the step's receipt) and applies, all
 * or none; the entries are checkpointed in the log, so a resumed run has the
 * same context, and a forged one in the log is refused. And `agent:` steps:
 * their module through the ModuleSource, their manifest's defaults applied.
 */
/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
import { describe, expect, it } from 'vitest'
import { bytesToBase64Url } from '../../../../src/core/index.ts'
import { canonicalize } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import { ContextState } from '../../../../src/orchestration/workflow/context/index.ts'
import type { ContextEntry } from '../../../../src/orchestration/workflow/context/index.ts'
import { MEMO_EXECUTOR, resumeWorkflow, startWorkflow } from '../../../../src/orchestration/workflow/runner/index.ts'
import type { LoadedModule, WorkflowRunnerComponents } from '../../../../src/orchestration/workflow/runner/index.ts'
import type { RunEvent, SucceededEvent } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import { parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import { defaults, fakes, moduleBytes, moduleHash, type FakeModule, type FakeTask } from './runner-fixture.ts'

const signer = await createIdentity(Uint8Array.from({ length: 32 }, (_, i) => i + 1))

const SPEC = `
version: 1
context:
  findings: { rule: append, maxEntries: 3 }
  processed: { rule: sum }
  status: { rule: lww, type: string, maxBytes: 64 }
dag:
  tasks:
    - name: note
      module: note
      context: write
      stdin: first
    - name: read
      module: read
      context: read
      dependencies: [note]
`

/** Writes the updates its stdin names (JSON), or a default finding; says what context it was given. */
const note: FakeModule = (task: FakeTask) => ({
  stdout: task.files['context.json'] ?? 'no context',
  files: { 'context-updates.json': task.stdin.startsWith('[') ? task.stdin : JSON.stringify([{ key: 'findings', value: task.stdin }, { key: 'processed', value: 2 }]) }
})
const read: FakeModule = task => ({ stdout: task.files['context.json'] ?? 'no context' })

const withSigner = (components: WorkflowRunnerComponents): WorkflowRunnerComponents => ({ ...components, signer })
const succeeded = (log: RunEvent[] | undefined, step: string): SucceededEvent =>
  (log ?? []).find((e): e is SucceededEvent => e.type === 'succeeded' && e.step === step) as SucceededEvent

describe('a run with a shared context', () => {
  it('gives a read step the context a write step made: entries signed by the submitter, citing the receipt', async () => {
    const f = fakes({ note, read })
    const runner = await startWorkflow(withSigner(f.components), { runId: 'c1', spec: parseWorkflowSpec(SPEC), inputs: {}, defaults })
    const result = await runner.result()
    expect(result.state).toBe('completed')
    const log = f.logs.get('c1')
    // The write step does not read: it is given no context file.
    expect(succeeded(log, 'note').outputs.stdout).toBe('no context')
    expect(succeeded(log, 'read').outputs.stdout).toBe(canonicalize({ findings: ['first'], processed: 2 }))

    const entries = succeeded(log, 'note').context?.entries as ContextEntry[]
    expect(entries.map(e => [e.key, e.value, e.lamport])).toEqual([['findings', 'first', 1], ['processed', 2, 2]])
    for (const entry of entries) {
      expect(entry.writer).toBe(signer.peerId.toString())
      expect(entry.publicKey).toBe(bytesToBase64Url(signer.publicKey))
      expect(entry.receiptHash).toBe(succeeded(log, 'note').receiptHash)
      expect(entry.contextId).toBe('c1')
    }
    // The reading step's started event names the hash of the bytes it was given.
    const started = (log ?? []).find(e => e.type === 'started' && e.step === 'read')
    expect(started).toMatchObject({ contextHash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    // Any replica holding the logged entries (as plain JSON off the wire) converges to the runner's context.
    const replica = new ContextState({ contextId: 'c1', schema: parseWorkflowSpec(SPEC).context! })
    for (const entry of JSON.parse(JSON.stringify(entries)) as unknown[]) replica.apply(entry)
    expect(replica.hash()).toBe(runner.context()?.hash)
    expect(runner.context()?.value).toEqual({ findings: ['first'], processed: 2 })
  })

  it('refuses an update that breaks its rule whole: the step still succeeds and is paid once, the context is unchanged', async () => {
    const f = fakes({ note, read })
    const text = SPEC.replace('stdin: first', `stdin: '${JSON.stringify([{ key: 'findings', value: 'kept?' }, { key: 'processed', value: 'many' }])}'`)
    const runner = await startWorkflow(withSigner(f.components), { runId: 'c2', spec: parseWorkflowSpec(text), inputs: {}, defaults })
    expect((await runner.result()).state).toBe('completed')
    const event = succeeded(f.logs.get('c2'), 'note')
    expect(event.context).toEqual({ entries: [], refused: { name: 'ContextRuleViolationError', message: expect.stringContaining('processed') } })
    expect(f.settled.filter(id => id.startsWith('c2-note-'))).toHaveLength(1)
    expect(runner.status().steps.find(s => s.name === 'note')?.state).toBe('completed')
    expect(succeeded(f.logs.get('c2'), 'read').outputs.stdout).toBe(canonicalize({ findings: [], processed: 0 }))
  })

  it('refuses the whole file when one entry would not fit the key (append past maxEntries): none is applied', async () => {
    const f = fakes({ note, read })
    const four = JSON.stringify(['a', 'b', 'c', 'd'].map(value => ({ key: 'findings', value })))
    const runner = await startWorkflow(withSigner(f.components), { runId: 'c3', spec: parseWorkflowSpec(SPEC.replace('stdin: first', `stdin: '${four}'`)), inputs: {}, defaults })
    await runner.result()
    expect(succeeded(f.logs.get('c3'), 'note').context?.refused?.name).toBe('ContextEntryLimitError')
    expect(runner.context()?.entries).toEqual([])
  })

  it('refuses updates to an undeclared key and a malformed file, with the error named', async () => {
    const cases: Array<[string, string]> = [['[{"key":"other","value":1}]', 'UndeclaredContextKeyError'], ['[{"key":"findings"}]', 'InvalidContextProposalError'], ['[not json', 'InvalidContextProposalError']]
    for (const [stdin, name] of cases) {
      const f = fakes({ note, read })
      const runId = `c4-${name.length}-${stdin.length}`
      const runner = await startWorkflow(withSigner(f.components), { runId, spec: parseWorkflowSpec(SPEC.replace('stdin: first', `stdin: '${stdin}'`)), inputs: {}, defaults })
      await runner.result()
      expect(succeeded(f.logs.get(runId), 'note').context?.refused?.name, stdin).toBe(name)
    }
  })

  it('refuses a write step\'s updates when the runner has no identity to sign them with', async () => {
    const f = fakes({ note, read })
    const runner = await startWorkflow(f.components, { runId: 'c5', spec: parseWorkflowSpec(SPEC), inputs: {}, defaults })
    await runner.result()
    expect(succeeded(f.logs.get('c5'), 'note').context?.refused).toMatchObject({ name: 'TypeError', message: expect.stringContaining('identity') })
  })

  it('gives two concurrent writers distinct lamports, so neither overwrites the other', async () => {
    const f = fakes({ note, read })
    const text = SPEC.replace('      stdin: first', '      forEach: [x, y, z]\n      stdin: "${{ item }}"').replace('dependencies: [note]', 'depends: note.Succeeded')
    const runner = await startWorkflow(withSigner(f.components), { runId: 'c6', spec: parseWorkflowSpec(text), inputs: {}, defaults })
    await runner.result()
    const value = runner.context()?.value as { findings: string[], processed: number }
    expect([...value.findings].sort()).toEqual(['x', 'y', 'z'])
    expect(value.processed).toBe(6)
  })
})

describe('resuming a run with a context', () => {
  it('has the same context after a resume, from the entries in its log', async () => {
    const f = fakes({ note, read })
    const spec = parseWorkflowSpec(SPEC)
    const first = await startWorkflow(withSigner(f.components), { runId: 'r1', spec, inputs: {}, defaults })
    await first.result()
    const again = await resumeWorkflow(withSigner(f.components), { runId: 'r1', spec, inputs: {}, defaults })
    await again.result()
    expect(again.context()).toEqual(first.context())
  })

  it('refuses to resume over a forged entry in the log', async () => {
    const f = fakes({ note, read })
    const spec = parseWorkflowSpec(SPEC)
    await (await startWorkflow(withSigner(f.components), { runId: 'r2', spec, inputs: {}, defaults })).result()
    const log = f.logs.get('r2') as RunEvent[]
    const event = succeeded(log, 'note')
    const entries = event.context!.entries
    event.context = { entries: [{ ...entries[0]!, value: 'forged' }, ...entries.slice(1)] }
    await expect(resumeWorkflow(withSigner(f.components), { runId: 'r2', spec, inputs: {}, defaults })).rejects.toMatchObject({ name: 'ContextEntrySignatureError' })
  })
})

describe('memoization of context steps', () => {
  it('reuses a read step only over the same context, and re-signs a reused write step\'s updates for the new run', async () => {
    const f = fakes({ note, read })
    await (await startWorkflow(withSigner(f.components), { runId: 'm1', spec: parseWorkflowSpec(SPEC), inputs: {}, defaults })).result()
    const same = await startWorkflow(withSigner(f.components), { runId: 'm2', spec: parseWorkflowSpec(SPEC), inputs: {}, defaults })
    await same.result()
    expect(f.calls.filter(c => c.taskId.startsWith('m2-'))).toEqual([])
    expect(succeeded(f.logs.get('m2'), 'note').executor).toBe(MEMO_EXECUTOR)
    expect(succeeded(f.logs.get('m2'), 'note').context?.entries.every(e => e.contextId === 'm2')).toBe(true)
    expect(same.context()?.value).toEqual({ findings: ['first'], processed: 2 })

    // Another finding: the write step runs, and so does the read step, whose context changed.
    await (await startWorkflow(withSigner(f.components), { runId: 'm3', spec: parseWorkflowSpec(SPEC.replace('stdin: first', 'stdin: second')), inputs: {}, defaults })).result()
    expect(f.calls.filter(c => c.taskId.startsWith('m3-')).map(c => c.taskId).sort()).toEqual(['m3-note-x-1', 'm3-read-x-1'])
  })
})

describe('agent: steps', () => {
  const AUTHOR = '12D3KooWLmLiB4AenmN2g2mHbhNjbMt6bEaDbzCjPmYBFEYJmdu4'
  const agentSpec = (extra = ''): string => `
version: 1
dag:
  tasks:
    - name: summarize
      agent: summarize@^1.2
      stdin: text${extra}
`
  /** The fixture's modules, and `agent:summarize@^1.2` resolved as a registry would, with its manifest's defaults. */
  const withAgent = (components: WorkflowRunnerComponents, loads: string[]): WorkflowRunnerComponents => ({
    ...components,
    modules: {
      async load (ref: string): Promise<LoadedModule> {
        loads.push(ref)
        if (ref !== 'agent:summarize@^1.2') return components.modules.load(ref)
        return {
          bytes: moduleBytes('summarize'), hash: moduleHash('summarize'),
          agent: { name: 'summarize', version: '1.4.0', author: AUTHOR, defaults: { args: ['--sentences', '2'], timeoutMs: 4321, fuel: 777, memoryLimitBytes: 1 << 22 } }
        }
      }
    }
  })
  const offers: Array<{ args: string[], timeoutMs: number, fuel: number | bigint, memoryLimitBytes: number }> = []
  const summarize: FakeModule = task => ({ stdout: `${task.args.join(' ')}:${task.stdin}` })

  it('resolves the agent through the ModuleSource, applies its defaults and names it in the started event', async () => {
    const f = fakes({ summarize })
    const loads: string[] = []
    const components = withAgent(f.components, loads)
    const dispatch = components.dispatch
    components.dispatch = { runOnce: async (offer, ...rest) => { offers.push({ args: offer.args, timeoutMs: offer.timeoutMs, fuel: offer.fuel, memoryLimitBytes: offer.memoryLimitBytes }); return dispatch.runOnce(offer, ...rest) } }
    const runner = await startWorkflow(components, { runId: 'a1', spec: parseWorkflowSpec(agentSpec()), inputs: {}, defaults })
    expect((await runner.result()).state).toBe('completed')
    expect(loads).toEqual(['agent:summarize@^1.2'])
    expect(offers.at(-1)).toEqual({ args: ['--sentences', '2'], timeoutMs: 4321, fuel: 777, memoryLimitBytes: 1 << 22 })
    const started = f.logs.get('a1')?.find(e => e.type === 'started')
    expect(started).toMatchObject({ agent: { name: 'summarize', version: '1.4.0', author: AUTHOR, moduleHash: moduleHash('summarize') } })
    expect(succeeded(f.logs.get('a1'), 'summarize').outputs.stdout).toBe('--sentences 2:text')
  })

  it('keeps what the step sets over the manifest\'s defaults', async () => {
    const f = fakes({ summarize })
    const components = withAgent(f.components, [])
    const dispatch = components.dispatch
    components.dispatch = { runOnce: async (offer, ...rest) => { offers.push({ args: offer.args, timeoutMs: offer.timeoutMs, fuel: offer.fuel, memoryLimitBytes: offer.memoryLimitBytes }); return dispatch.runOnce(offer, ...rest) } }
    await (await startWorkflow(components, { runId: 'a2', spec: parseWorkflowSpec(agentSpec('\n      args: ["--short"]\n      timeoutMs: 2000')), inputs: {}, defaults })).result()
    expect(offers.at(-1)).toEqual({ args: ['--short'], timeoutMs: 2000, fuel: 777, memoryLimitBytes: 1 << 22 })
  })

  it('errors the step with the ModuleSource\'s reason when the agent cannot be resolved', async () => {
    const f = fakes({})
    const runner = await startWorkflow(f.components, { runId: 'a3', spec: parseWorkflowSpec(agentSpec()), inputs: {}, defaults })
    expect((await runner.result()).state).toBe('failed')
    const failed = f.logs.get('a3')?.find(e => e.type === 'failed')
    expect(failed).toMatchObject({ errored: true, error: { message: 'no module agent:summarize@^1.2' } })
  })
})
