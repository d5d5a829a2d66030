/**
 * A workflow step's module on a peer (src/peer/workflow-modules.ts): an
 * `agent: name@range` step resolved through an in-memory AgentResolver (the
 * registry's interface, PeerContext.agents), its manifest's identity and
 * defaults carried to the runner; without a registry, or for an agent the
 * registry does not know, the step is Errored with the reason's name.
 */
import { describe, expect, it } from 'vitest'
import type { AgentManifest } from '../../../src/discovery/agent-manifest/index.ts'
import { startWorkflow } from '../../../src/orchestration/workflow/runner/index.ts'
import type { RunEvent } from '../../../src/orchestration/workflow/scheduler/index.ts'
import { parseWorkflowSpec } from '../../../src/orchestration/workflow/spec/index.ts'
import type { AgentResolver, PeerContext, ResolvedAgentModule } from '../../../src/peer/context.ts'
import { workflowModuleSource } from '../../../src/peer/workflow-modules.ts'
import { defaults, fakes, moduleBytes, moduleHash } from '../orchestration/workflow/runner-fixture.ts'

const AUTHOR = '12D3KooWLmLiB4AenmN2g2mHbhNjbMt6bEaDbzCjPmYBFEYJmdu4'

/** Resolves `summarize` (any range) to version 1.4.0, as a registry holding that manifest would; anything else is not found. */
class MemoryAgents implements AgentResolver {
  readonly asked: Array<{ ref: string, signal: boolean }> = []
  async resolveModule (ref: string, options: { signal?: AbortSignal } = {}): Promise<ResolvedAgentModule> {
    this.asked.push({ ref, signal: options.signal instanceof AbortSignal })
    if (!ref.startsWith('summarize')) throw Object.assign(new Error(`no agent named ${ref.split('@')[0]}`), { name: 'AgentNotFoundError' })
    const manifest = { name: 'summarize', version: '1.4.0', author: AUTHOR, defaults: { args: ['--sentences', '2'], fuel: 5000, memoryLimitBytes: 1 << 22 } } as unknown as AgentManifest
    return { manifest, hash: moduleHash('summarize'), module: moduleBytes('summarize') }
  }
}

const unusedStore = {} as PeerContext['store']
const noFetch: PeerContext['fetchModule'] = async () => new Response(null, { status: 404 })
const SPEC = 'version: 1\ndag:\n  tasks:\n    - { name: sum, agent: "summarize@^1.2", stdin: text }\n'

describe('workflow step modules on a peer', () => {
  it('resolves an agent step through the registry, with the manifest\'s identity and defaults', async () => {
    const agents = new MemoryAgents()
    const loaded = await workflowModuleSource({ store: unusedStore, fetchModule: noFetch, agents }).load('agent:summarize@^1.2', { signal: new AbortController().signal })
    expect(agents.asked).toEqual([{ ref: 'summarize@^1.2', signal: true }])
    expect(loaded).toMatchObject({ hash: moduleHash('summarize'), agent: { name: 'summarize', version: '1.4.0', author: AUTHOR, defaults: { args: ['--sentences', '2'], fuel: 5000 } } })
  })

  it('runs an agent step: the started event names the agent, the task gets its defaults', async () => {
    const f = fakes({ summarize: task => ({ stdout: `${task.args.join(' ')}|${task.stdin}` }) })
    const components = { ...f.components, modules: workflowModuleSource({ store: unusedStore, fetchModule: noFetch, agents: new MemoryAgents() }) }
    const runner = await startWorkflow(components, { runId: 'ag1', spec: parseWorkflowSpec(SPEC), inputs: {}, defaults })
    expect((await runner.result()).state).toBe('completed')
    const log = f.logs.get('ag1') as RunEvent[]
    expect(log.find(e => e.type === 'started')).toMatchObject({ agent: { name: 'summarize', version: '1.4.0', author: AUTHOR, moduleHash: moduleHash('summarize') } })
    expect(log.find(e => e.type === 'succeeded')).toMatchObject({ outputs: { stdout: '--sentences 2|text' } })
  })

  it('errors an agent step on a peer without a registry, and one the registry does not know, naming why', async () => {
    for (const [agents, spec, name] of [
      [undefined, SPEC, 'AgentRegistryUnavailableError'],
      [new MemoryAgents(), SPEC.replace('summarize@^1.2', 'translate@1'), 'AgentNotFoundError']
    ] as const) {
      const f = fakes({})
      const components = { ...f.components, modules: workflowModuleSource({ store: unusedStore, fetchModule: noFetch, ...(agents === undefined ? {} : { agents }) }) }
      const runner = await startWorkflow(components, { runId: `ag-${name}`, spec: parseWorkflowSpec(spec), inputs: {}, defaults })
      expect((await runner.result()).state).toBe('failed')
      expect(f.logs.get(`ag-${name}`)?.find(e => e.type === 'failed')).toMatchObject({ errored: true, error: { name } })
    }
  })
})
