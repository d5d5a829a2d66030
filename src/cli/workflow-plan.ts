/**
 * `zerostate workflow plan "REQUEST"`: the optional planner (src/peer/planner.ts)
 * from a terminal. The modules it may use are the app server's samples
 * (samples.json); the model is an OpenAI-compatible endpoint named by
 * --endpoint / ZEROSTATE_PLANNER_URL and --model / ZEROSTATE_PLANNER_MODEL,
 * its key only in ZEROSTATE_PLANNER_KEY (a key on the command line would be
 * in every `ps` listing). It runs nothing: it prints the spec and its steps
 * in order (or writes the spec with --out), for `workflow run` once the user
 * has read it.
 */
import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import type { SampleTask } from '../execution/sample-index.ts'
import { stepDependencies, topologicalOrder } from '../orchestration/workflow/spec/index.ts'
import { DEFAULT_SERVER } from '../peer/connect.node.ts'
import { planWorkflow, type PlannerModule, type WorkflowPlan } from '../peer/planner.ts'
import { WORKFLOW_TEMPLATES } from '../peer/workflow-templates.ts'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, errorLine } from './cli-output.ts'
import { writeOut, type MeshCliIo } from './mesh-session.ts'

interface PlanCliOptions {
  endpoint?: string
  model?: string
  server?: string
  out?: string
  json: boolean
  attempts: string
}

/** The templates shown to the model as examples: two, to keep the prompt short. */
const EXAMPLE_TEMPLATES = 2

export function addPlanCommand (workflow: Command, io: MeshCliIo, setStatus: (code: number) => void): void {
  workflow.command('plan')
    .description('ask a chat model (an OpenAI-compatible endpoint) for a workflow spec that does REQUEST; runs nothing')
    .argument('<request>', 'what the workflow should do, in plain words')
    .option('--endpoint <url>', 'the chat API\'s base URL (…/v1) or its …/chat/completions URL (default ZEROSTATE_PLANNER_URL)')
    .option('--model <name>', 'the model (default ZEROSTATE_PLANNER_MODEL); the key, if any, only from ZEROSTATE_PLANNER_KEY')
    .option('--server <url>', 'the app server whose samples the plan may use (default ZEROSTATE_SERVER or http://127.0.0.1:8080)')
    .option('--out <file>', 'write the spec here (then `zerostate workflow run FILE`)')
    .option('--attempts <n>', 'answers to try before giving up', '3')
    .option('--json', 'print { spec, order, dependencies, attempts }', false)
    .action(async (request: string, options: PlanCliOptions) => { setStatus(await planCommand(request, options, io)) })
}

async function planCommand (request: string, options: PlanCliOptions, io: MeshCliIo): Promise<number> {
  const endpoint = options.endpoint ?? io.env.ZEROSTATE_PLANNER_URL
  const model = options.model ?? io.env.ZEROSTATE_PLANNER_MODEL
  try {
    if (endpoint === undefined || model === undefined) throw new UsageError('no planner configured: give --endpoint and --model (or ZEROSTATE_PLANNER_URL and ZEROSTATE_PLANNER_MODEL)')
    const attempts = Number(options.attempts)
    if (!Number.isSafeInteger(attempts) || attempts < 1 || attempts > 10) throw new UsageError('--attempts must be an integer from 1 to 10')
    const modules = await sampleModules(options.server ?? io.env.ZEROSTATE_SERVER ?? DEFAULT_SERVER)
    const plan = await planWorkflow(request, { endpoint, model, ...(io.env.ZEROSTATE_PLANNER_KEY === undefined ? {} : { apiKey: io.env.ZEROSTATE_PLANNER_KEY }) }, {
      modules,
      examples: WORKFLOW_TEMPLATES.slice(0, EXAMPLE_TEMPLATES).map(template => template.spec),
      maxAttempts: attempts
    })
    if (options.out !== undefined) await writeFile(options.out, plan.specText)
    await writeOut(io.stdout, options.json ? `${JSON.stringify(planJson(plan))}\n` : describePlan(plan, options.out))
    return EXIT_OK
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`zerostate workflow plan: ${err.message}\n`)
      return EXIT_USAGE
    }
    io.stderr.write(options.json ? `${JSON.stringify({ error: { name: (err as Error).name, message: (err as Error).message } })}\n` : `zerostate workflow plan: ${errorLine(err)}\n`)
    return EXIT_FAILED
  }
}

/** The samples the app server offers, as the modules a plan may name. */
async function sampleModules (server: string): Promise<PlannerModule[]> {
  let samples: SampleTask[]
  try {
    const response = await fetch(new URL('samples/samples.json', server.endsWith('/') ? server : `${server}/`))
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    samples = await response.json() as SampleTask[]
  } catch (err) {
    throw new Error(`could not read the samples of ${server}: ${(err as Error).message}`, { cause: err })
  }
  return samples.map(sample => ({ ref: sample.id, description: `${sample.title}. ${sample.description} (stdin: ${sample.stdinKind})` }))
}

function planJson (plan: WorkflowPlan): unknown {
  const dependencies = stepDependencies(plan.spec)
  return { spec: plan.specText, order: topologicalOrder(plan.spec), dependencies: Object.fromEntries(dependencies), attempts: plan.attempts }
}

function describePlan (plan: WorkflowPlan, out: string | undefined): string {
  const dependencies = stepDependencies(plan.spec)
  const steps = topologicalOrder(plan.spec).map(step => {
    const needs = dependencies.get(step) ?? []
    return `  ${step}${needs.length === 0 ? '' : ` ← ${needs.join(', ')}`}`
  })
  const spec = out === undefined ? `${plan.specText}\n` : ''
  const next = out === undefined ? 'Save it and run it with `zerostate workflow run FILE`.' : `Written to ${out}: run it with \`zerostate workflow run ${out}\`.`
  return `${spec}Steps (${plan.attempts === 1 ? 'first answer' : `answer ${plan.attempts}`}):\n${steps.join('\n')}\n${next}\n`
}
