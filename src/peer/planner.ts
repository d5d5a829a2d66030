/**
 * The optional planner: a plain-English request turned into a workflow spec
 * by a chat model behind an OpenAI-compatible `POST …/chat/completions`
 * endpoint (OpenAI's Chat Completions API, which llama.cpp's server, vLLM,
 * Ollama and others serve too). None is configured by default; templates stay
 * the planner a user gets without one.
 *
 * Nothing the model says is trusted: its answer is only text that must pass
 * `parseWorkflowSpec` like a spec typed by hand. When it does not, the
 * problems go back to the model once or twice (`maxAttempts`) — a model
 * often mends a wrong field name when told which — and the call fails with
 * every problem of the last answer if it still does not parse. The caller
 * shows the DAG and runs nothing until the user confirms it.
 */
import { nameError } from '../core/errors.ts'
import { parseWorkflowSpec, WorkflowSpecError } from '../orchestration/workflow/spec/index.ts'
import type { WorkflowSpec, WorkflowSpecProblem } from '../orchestration/workflow/spec/index.ts'

/** Where the chat model is, as the user configured it. */
export interface PlannerConfig {
  /**
   * The API's base URL (`https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`), or the full
   * `…/chat/completions` URL; http(s) only.
   */
  endpoint: string
  /** Sent as `Authorization: Bearer <apiKey>` when given. */
  apiKey?: string
  /** The model name the endpoint serves. */
  model: string
}

/** A module the planner may name in a step: a bundled sample, or a published agent (`agent: name@range`). */
export interface PlannerModule {
  /** What a step names: a sample id (`lang-detect`), or `agent:name@^1` for an agent. */
  ref: string
  description: string
}

export interface PlanOptions {
  /** What the plan may use; the model is told to use nothing else. */
  modules: PlannerModule[]
  /** A spec or two the model may imitate (the templates'), shown as they are. */
  examples?: string[]
  /** Answers parsed before the call gives up (default DEFAULT_PLANNER_ATTEMPTS). */
  maxAttempts?: number
  signal?: AbortSignal
  /** The page's or Node's `fetch` (the tests' too). */
  fetch?: typeof globalThis.fetch
}

export interface WorkflowPlan {
  /** The spec as the model wrote it (fences removed): what the user sees and may edit. */
  specText: string
  spec: WorkflowSpec
  /** Answers it took (1 when the first one parsed). */
  attempts: number
}

export const DEFAULT_PLANNER_ATTEMPTS = 3
/** A request longer than this is refused before anything is sent. */
export const MAX_PLANNER_REQUEST_CHARS = 4000
/** An answer longer than this is refused unread (a spec is at most MAX_SPEC_BYTES, 64 KiB; the JSON around it and the model's prose add some). */
export const MAX_PLANNER_RESPONSE_BYTES = 1024 * 1024
/** How long one chat-completions call may take. */
export const PLANNER_CALL_TIMEOUT_MS = 120_000

/** No endpoint or model is configured, or the endpoint is not an http(s) URL. */
export class PlannerNotConfiguredError extends Error {
  static { nameError(this, 'PlannerNotConfiguredError') }
}

/** The request is empty or too long. */
export class InvalidPlanRequestError extends RangeError {
  static { nameError(this, 'InvalidPlanRequestError') }
}

/** The endpoint answered with an HTTP error, or with something that is not a chat completion. */
export class PlannerEndpointError extends Error {
  static { nameError(this, 'PlannerEndpointError') }
  /** The HTTP status, when the endpoint answered with one that is not 2xx. */
  readonly status: number | undefined

  constructor (message: string, status?: number) {
    super(message)
    this.status = status
  }
}

/** Every answer the model gave failed to parse as a spec; `problems` are the last one's. */
export class PlannedSpecInvalidError extends Error {
  static { nameError(this, 'PlannedSpecInvalidError') }
  readonly problems: WorkflowSpecProblem[]
  readonly lastAnswer: string

  constructor (attempts: number, problems: WorkflowSpecProblem[], lastAnswer: string) {
    super(`the model's plan is not a valid workflow spec after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${problems.map(describe).join('; ')}`)
    this.problems = problems
    this.lastAnswer = lastAnswer
  }
}

interface ChatMessage { role: 'system' | 'user' | 'assistant', content: string }

/** Asks the configured model for a spec that does `request`, with only `options.modules`; see the module comment. */
export async function planWorkflow (request: string, config: PlannerConfig, options: PlanOptions): Promise<WorkflowPlan> {
  const url = completionsUrl(config)
  const text = request.trim()
  if (text === '') throw new InvalidPlanRequestError('say what the workflow should do')
  if (text.length > MAX_PLANNER_REQUEST_CHARS) throw new InvalidPlanRequestError(`a request is at most ${MAX_PLANNER_REQUEST_CHARS} characters`)
  const maxAttempts = options.maxAttempts ?? DEFAULT_PLANNER_ATTEMPTS
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer')

  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt(options.modules, options.examples ?? []) },
    { role: 'user', content: text }
  ]
  let problems: WorkflowSpecProblem[] = []
  let answer = ''
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    answer = await complete(url, config, messages, options)
    const specText = stripFences(answer)
    try {
      return { specText, spec: parseWorkflowSpec(specText), attempts: attempt }
    } catch (err) {
      if (!(err instanceof WorkflowSpecError)) throw err
      problems = err.problems
    }
    messages.push(
      { role: 'assistant', content: answer },
      { role: 'user', content: `That spec does not parse:\n${problems.map(problem => `- ${describe(problem)}`).join('\n')}\nAnswer with the whole corrected spec only.` }
    )
  }
  throw new PlannedSpecInvalidError(maxAttempts, problems, answer)
}

/** The chat-completions URL of a configuration: the endpoint as given when it already ends so, else `<base>/chat/completions`. */
export function completionsUrl (config: PlannerConfig): URL {
  if (typeof config.model !== 'string' || config.model.trim() === '') throw new PlannerNotConfiguredError('no planner model is configured')
  let url: URL
  try {
    url = new URL(config.endpoint)
  } catch {
    throw new PlannerNotConfiguredError(`the planner endpoint ${JSON.stringify(config.endpoint)} is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PlannerNotConfiguredError('the planner endpoint must be an http(s) URL')
  if (!url.pathname.endsWith('/chat/completions')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`
  return url
}

async function complete (url: URL, config: PlannerConfig, messages: ChatMessage[], options: PlanOptions): Promise<string> {
  const signal = options.signal === undefined
    ? AbortSignal.timeout(PLANNER_CALL_TIMEOUT_MS)
    : AbortSignal.any([options.signal, AbortSignal.timeout(PLANNER_CALL_TIMEOUT_MS)])
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
  if (config.apiKey !== undefined && config.apiKey !== '') headers.authorization = `Bearer ${config.apiKey}`
  // temperature 0: the same request should give the same plan, as far as the model allows.
  const body = JSON.stringify({ model: config.model, messages, temperature: 0 })
  const response = await (options.fetch ?? globalThis.fetch)(url, { method: 'POST', headers, body, signal })
  const raw = await readBounded(response)
  if (!response.ok) throw new PlannerEndpointError(`the planner endpoint answered ${response.status}: ${raw.slice(0, 200)}`, response.status)
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw new PlannerEndpointError('the planner endpoint did not answer with JSON')
  }
  // OpenAI's shape: { choices: [{ message: { role: 'assistant', content: '…' } }] }.
  const content = (parsed as { choices?: Array<{ message?: { content?: unknown } }> })?.choices?.[0]?.message?.content
  if (typeof content !== 'string' || content.trim() === '') throw new PlannerEndpointError('the planner endpoint answered without a message')
  return content
}

async function readBounded (response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > MAX_PLANNER_RESPONSE_BYTES) throw new PlannerEndpointError(`the planner's answer is over ${MAX_PLANNER_RESPONSE_BYTES} bytes`)
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (bytes.byteLength > MAX_PLANNER_RESPONSE_BYTES) throw new PlannerEndpointError(`the planner's answer is over ${MAX_PLANNER_RESPONSE_BYTES} bytes`)
  return new TextDecoder().decode(bytes)
}

/** The spec inside a Markdown code fence when the answer has one; the answer itself otherwise. */
export function stripFences (answer: string): string {
  const fenced = /```(?:ya?ml|json)?[ \t]*\r?\n([\s\S]*?)```/i.exec(answer)
  return (fenced?.[1] ?? answer).trim() + '\n'
}

function systemPrompt (modules: PlannerModule[], examples: string[]): string {
  return [
    'You write ZeroState workflow specs: YAML for a DAG of WebAssembly (WASI) tasks, shaped like an Argo `dag.tasks` template.',
    'Answer with the spec only, in one ```yaml fence, nothing else.',
    'The spec has: `version: 1`, `name` (lowercase, dashes), `inputs` (each `{ type: text | json | bytes | files }`), `dag.tasks`, `outputs`.',
    'A task has `name`, `module` (one of the modules below, exactly as written; for an agent write `agent: name@range` instead of `module`),',
    // eslint-disable-next-line no-template-curly-in-string -- the spec's own ${{ … }} references, not a template literal
    'optionally `args` (strings), `stdin` ("${{ inputs.X }}", "${{ steps.S.stdout }}", "${{ steps.S.items }}" or "${{ item }}"), `forEach`',
    '(`inputs.X.lines`, `steps.S.json.FIELD` or `steps.S.items`: one task per item), `depends` (`S.Succeeded`, `S.AnySucceeded`, combined with && and ||),',
    '`when` (an expression over steps.S.json), `files` (name: content), `retry: { limit: 2 }`.',
    // eslint-disable-next-line no-template-curly-in-string -- as above
    'Outputs name values such as "${{ steps.S.stdout }}" or "${{ steps.S.json.FIELD }}". Use only the modules listed.',
    '',
    'Modules:',
    ...modules.map(module => `- ${module.ref}: ${module.description}`),
    ...examples.flatMap((example, index) => ['', `Example ${index + 1}:`, '```yaml', example.trim(), '```'])
  ].join('\n')
}

function describe (problem: WorkflowSpecProblem): string {
  const at = problem.line === undefined ? problem.path : `line ${problem.line}${problem.column === undefined ? '' : `:${problem.column}`} (${problem.path})`
  return at === '' ? problem.message : `${at}: ${problem.message}`
}
