/**
 * The A2A agent a peer serves (docs/a2a-binding.md): a message names a skill
 * — a sample workload (`lang-detect`) or a published agent (`name@range`,
 * through the peer's AgentResolver) — and carries its input: a text part is
 * stdin, a part with a filename is a file in /work, a data part holds args,
 * env and limits. The task is submitted into the mesh (submitTask: any
 * executor the mesh chooses, this peer included), and its result comes back
 * as artifacts: stdout, stderr, the files it wrote, and the verified,
 * Ed25519-signed receipt exactly as docs/receipt-format.md has it, so the
 * caller can check it with `zerostate receipt verify`. A task that exits
 * non-zero, or ran and failed (trap, timeout, fuel), fails with its receipt
 * attached.
 */
import { bytesToUtf8 } from '../core/encoding.ts'
import { MAX_ARGS, MAX_ENV_ENTRIES, MAX_FUEL, MAX_MEMORY_LIMIT_BYTES, MAX_TIMEOUT_MS, MIN_MEMORY_LIMIT_BYTES, MIN_TIMEOUT_MS } from '../core/limits.ts'
import type { SampleTask } from '../execution/sample-index.ts'
import {
  A2A_JSONRPC_BINDING, A2A_LIBP2P_BINDING, A2A_PROTOCOL_VERSION, ContentTypeNotSupportedError, InvalidA2AParamsError,
  UnsupportedOperationError, base64ToBytes, bytesToBase64
} from '../orchestration/a2a/index.ts'
import type { A2AAgent, A2ATaskOutcome, Artifact, Message, Part } from '../orchestration/a2a/index.ts'
import { RemoteTaskError } from '../orchestration/task-protocol/index.ts'
import { receiptHash, receiptToJson } from '../receipts/index.ts'
import type { Receipt } from '../receipts/index.ts'
import type { PeerContext } from './context.ts'
import { submitTask } from './submit.ts'
import type { SubmitRequest } from './types.ts'

/** A sample's id, as samples.json names it. */
const SAMPLE_ID = /^[a-z0-9][a-z0-9-]*$/
/** A published agent's ref: `name@range` (docs/agent-manifest.md). */
const AGENT_REF = /^[a-z0-9][a-z0-9._-]*@\S+$/

/** The members of a message's data part: the task's args, env and limits, and the skill when the metadata does not name it. */
const OPTION_MEMBERS = ['skill', 'args', 'env', 'timeoutMs', 'fuel', 'memoryLimitBytes', 'maxTotalPrice', 'executor', 'witnesses']

export interface MeshA2AAgentInit {
  /** The samples offered as skills (the app server's samples.json); a message may name only these (and agent refs). */
  samples: readonly SampleTask[]
}

/** An A2A agent that runs each message as a task on the mesh, through `ctx`. */
export function meshA2AAgent (ctx: PeerContext, init: MeshA2AAgentInit): A2AAgent {
  const sampleIds = new Set(init.samples.map(sample => sample.id))
  return {
    async accept (message, { signal }) {
      const request = await a2aTaskRequest(message, { sampleIds, ctx, signal })
      return {
        run: async ({ taskId, signal: taskSignal }) => {
          try {
            return a2aOutcome(await submitTask(ctx, request, { signal: taskSignal, taskId }))
          } catch (err) {
            // Ran and failed: the verified receipt says so, and goes back with the failure.
            if (err instanceof RemoteTaskError && err.receipt !== undefined) {
              return { state: 'TASK_STATE_FAILED', statusText: `${err.name}: ${err.message}`, artifacts: [receiptArtifact(err.receipt)], metadata: receiptMetadata(err.receipt) }
            }
            throw err
          }
        }
      }
    }
  }
}

export interface A2ATaskRequestOptions {
  /** The sample ids a message may name. */
  sampleIds: ReadonlySet<string>
  /** Where `name@range` skills are resolved. */
  ctx?: Pick<PeerContext, 'agents'>
  signal?: AbortSignal
}

/**
 * The task a message asks for (throws InvalidA2AParamsError,
 * ContentTypeNotSupportedError or UnsupportedOperationError: answered as a
 * JSON-RPC error, before any task is made).
 */
export async function a2aTaskRequest (message: Message, options: A2ATaskRequestOptions): Promise<SubmitRequest> {
  let stdin: Uint8Array | string | undefined
  const files: Array<[string, Uint8Array | string]> = []
  let data: Record<string, unknown> | undefined
  for (const [i, part] of message.parts.entries()) {
    const field = `params.message.parts[${i}]`
    if (part.url !== undefined) throw new ContentTypeNotSupportedError(`${field}: a file by URL is not fetched here; send its bytes (raw)`)
    if (part.data !== undefined) {
      if (data !== undefined) throw new InvalidA2AParamsError(`${field}: at most one data part (the task's options)`)
      if (typeof part.data !== 'object' || part.data === null || Array.isArray(part.data)) throw new InvalidA2AParamsError(`${field}.data must be a JSON object`)
      data = part.data as Record<string, unknown>
      continue
    }
    const content = part.text ?? base64ToBytes(part.raw ?? '')
    if (part.filename !== undefined) {
      if (files.some(([path]) => path === part.filename)) throw new InvalidA2AParamsError(`${field}.filename repeats ${part.filename}`)
      files.push([part.filename, content])
    } else {
      if (stdin !== undefined) throw new InvalidA2AParamsError(`${field}: at most one part without a filename (it is stdin)`)
      stdin = content
    }
  }
  const given = readOptions(data ?? {})
  const skill = skillOf(message, given.skill)
  const request: SubmitRequest = {
    module: await moduleOf(skill, options),
    label: skill,
    ...(stdin === undefined ? {} : { stdin }),
    ...(files.length === 0 ? {} : { files }),
    ...given.request
  }
  return request
}

/** A data part's options, checked. */
function readOptions (record: Record<string, unknown>): { skill?: string, request: Partial<SubmitRequest> } {
  for (const key of Object.keys(record)) {
    if (!OPTION_MEMBERS.includes(key)) throw new InvalidA2AParamsError(`the data part's ${key} is not an option (${OPTION_MEMBERS.join(', ')})`)
  }
  const out: Partial<SubmitRequest> = {}
  if (record.args !== undefined) {
    if (!Array.isArray(record.args) || record.args.length > MAX_ARGS || !record.args.every(arg => typeof arg === 'string')) {
      throw new InvalidA2AParamsError(`the data part's args must be at most ${MAX_ARGS} strings`)
    }
    out.args = record.args as string[]
  }
  if (record.env !== undefined) {
    const env = record.env
    if (typeof env !== 'object' || env === null || Array.isArray(env) || Object.keys(env).length > MAX_ENV_ENTRIES ||
      !Object.values(env).every(value => typeof value === 'string')) {
      throw new InvalidA2AParamsError(`the data part's env must be an object of at most ${MAX_ENV_ENTRIES} string values`)
    }
    out.env = env as Record<string, string>
  }
  const whole = (key: string, min: number, max: number): number | undefined => {
    const value = record[key]
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidA2AParamsError(`the data part's ${key} must be a whole number from ${min} to ${max}`)
    }
    return value
  }
  const timeoutMs = whole('timeoutMs', MIN_TIMEOUT_MS, MAX_TIMEOUT_MS)
  const fuel = whole('fuel', 1, MAX_FUEL)
  const memoryLimitBytes = whole('memoryLimitBytes', MIN_MEMORY_LIMIT_BYTES, MAX_MEMORY_LIMIT_BYTES)
  const maxTotalPrice = whole('maxTotalPrice', 0, Number.MAX_SAFE_INTEGER)
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs
  if (fuel !== undefined) out.fuel = fuel
  if (memoryLimitBytes !== undefined) out.memoryLimitBytes = memoryLimitBytes
  if (maxTotalPrice !== undefined) out.maxTotalPrice = maxTotalPrice
  if (record.executor !== undefined) {
    if (typeof record.executor !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{40,64}$/.test(record.executor)) throw new InvalidA2AParamsError('the data part\'s executor must be a PeerId')
    out.executor = record.executor
  }
  if (record.witnesses !== undefined) {
    if (typeof record.witnesses !== 'boolean') throw new InvalidA2AParamsError('the data part\'s witnesses must be true or false')
    out.witnesses = record.witnesses
  }
  if (record.skill !== undefined && typeof record.skill !== 'string') throw new InvalidA2AParamsError('the data part\'s skill must be a string')
  return { ...(typeof record.skill === 'string' ? { skill: record.skill } : {}), request: out }
}

/** The module a skill names: a sample's URL, or a published agent's checked entry module. */
async function moduleOf (skill: string, options: A2ATaskRequestOptions): Promise<Uint8Array | string> {
  if (AGENT_REF.test(skill)) {
    const agents = options.ctx?.agents
    if (agents === undefined) throw new UnsupportedOperationError(`this peer has no agent registry to resolve ${skill}`)
    try {
      return (await agents.resolveModule(skill, options.signal === undefined ? {} : { signal: options.signal })).module
    } catch (err) {
      throw new InvalidA2AParamsError(`the skill ${skill} could not be resolved: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`)
    }
  }
  if (!SAMPLE_ID.test(skill) || !options.sampleIds.has(skill)) {
    throw new InvalidA2AParamsError(`no skill ${JSON.stringify(skill)} here; the skills are ${[...options.sampleIds].join(', ')} and published agents (name@range)`)
  }
  return `samples/${skill}.wasm`
}

/** The skill a message names: its metadata's `skill`, or its data part's; both, only when they agree. */
function skillOf (message: Message, fromData: string | undefined): string {
  const fromMetadata = message.metadata?.skill
  if (fromMetadata !== undefined && typeof fromMetadata !== 'string') throw new InvalidA2AParamsError('params.message.metadata.skill must be a string')
  if (fromMetadata !== undefined && fromData !== undefined && fromMetadata !== fromData) {
    throw new InvalidA2AParamsError('the message metadata and the data part name different skills')
  }
  const skill = fromMetadata ?? fromData
  if (skill === undefined) throw new InvalidA2AParamsError('the message names no skill: set metadata.skill (a sample id such as lang-detect, or name@range)')
  return skill
}

/** A task's output as one part: text when it is UTF-8, else bytes. */
function outputPart (bytes: Uint8Array, filename?: string): Part {
  const named = filename === undefined ? {} : { filename }
  try {
    return { text: bytesToUtf8(bytes), mediaType: 'text/plain', ...named }
  } catch {
    return { raw: bytesToBase64(bytes), mediaType: 'application/octet-stream', ...named }
  }
}

function receiptMetadata (receipt: Receipt): Record<string, unknown> {
  return { executor: receipt.executor, status: receipt.status, exitCode: receipt.exitCode, receiptHash: receiptHash(receipt) }
}

/** The receipt as a data part: the JSON of docs/receipt-format.md, member for member, for `zerostate receipt verify`. */
export function receiptArtifact (receipt: Receipt): Artifact {
  return {
    artifactId: 'receipt',
    name: 'receipt',
    description: 'The executor\'s Ed25519-signed receipt (docs/receipt-format.md), verified by the submitting peer; check it with `zerostate receipt verify`.',
    parts: [{ data: JSON.parse(receiptToJson(receipt)) as unknown, mediaType: 'application/json' }],
    metadata: { receiptHash: receiptHash(receipt) }
  }
}

/** A finished task's result as an A2A outcome: completed on exit code 0, else failed; the receipt attached either way. */
export function a2aOutcome (result: { stdout: Uint8Array, stderr: Uint8Array, files: Array<[string, Uint8Array]>, exitCode: number, receipt: Receipt }): A2ATaskOutcome {
  const artifacts: Artifact[] = [{ artifactId: 'stdout', name: 'stdout', parts: [outputPart(result.stdout)] }]
  if (result.stderr.byteLength > 0) artifacts.push({ artifactId: 'stderr', name: 'stderr', parts: [outputPart(result.stderr)] })
  if (result.files.length > 0) {
    artifacts.push({ artifactId: 'files', name: 'files', description: 'The files the task wrote in /work.', parts: result.files.map(([path, bytes]) => outputPart(bytes, path)) })
  }
  artifacts.push(receiptArtifact(result.receipt))
  const ok = result.exitCode === 0
  return {
    state: ok ? 'TASK_STATE_COMPLETED' : 'TASK_STATE_FAILED',
    artifacts,
    ...(ok ? {} : { statusText: `the task exited with code ${result.exitCode}` }),
    metadata: receiptMetadata(result.receipt)
  }
}

export interface A2AAgentCardInit {
  name: string
  description: string
  version: string
  /** The HTTP JSON-RPC endpoint (`http://host:port/a2a`), when served. */
  jsonRpcUrl?: string
  /** This peer's PeerId: the libp2p binding's address. */
  peerId: string
  samples: readonly SampleTask[]
}

/**
 * The A2A 1.0 AgentCard (a2a.proto `AgentCard`, ProtoJSON) of this peer's
 * agent, served at /.well-known/agent-card.json: its bindings in
 * `supportedInterfaces` — JSON-RPC over HTTP, and /zerostate/a2a/1.0.0 at
 * `/p2p/<peerId>` — and a skill per sample.
 */
export function a2aAgentCard (init: A2AAgentCardInit): Record<string, unknown> {
  const interfaces = [
    ...(init.jsonRpcUrl === undefined ? [] : [{ url: init.jsonRpcUrl, protocolBinding: A2A_JSONRPC_BINDING, protocolVersion: A2A_PROTOCOL_VERSION }]),
    { url: `/p2p/${init.peerId}`, protocolBinding: A2A_LIBP2P_BINDING, protocolVersion: A2A_PROTOCOL_VERSION }
  ]
  return {
    name: init.name,
    description: init.description,
    supportedInterfaces: interfaces,
    version: init.version,
    capabilities: { streaming: true, pushNotifications: false },
    defaultInputModes: ['text/plain', 'application/octet-stream', 'application/json'],
    defaultOutputModes: ['text/plain', 'application/octet-stream', 'application/json'],
    skills: init.samples.map(sample => ({
      id: sample.id,
      name: sample.title,
      description: sample.description,
      tags: [sample.category, 'wasi'],
      ...(sample.defaultStdin === '' ? {} : { examples: [sample.defaultStdin.slice(0, 200)] }),
      inputModes: sample.stdinKind === 'image' ? ['application/octet-stream'] : ['text/plain'],
      outputModes: ['text/plain', 'application/json']
    }))
  }
}
