/**
 * What a submitter asks a guild's lead for: a bid on a whole workflow run.
 * Not signed — the lead answers on a stream whose remote PeerId Noise has
 * authenticated, and checks that it is the request's submitter; the bid it
 * signs names the run and the spec, so it cannot be used for another.
 */
import { fieldCheckers } from '../../crypto/index.ts'
import { GUILD_ID, MAX_GUILD_ID_LENGTH, MAX_RUN_ID_LENGTH, ROLE_NAME, RUN_ID } from '../../economy/guild/constants.ts'
import type { WorkflowStepNeed } from '../../economy/guild/index.ts'
import { MAX_BID_REQUEST_STEPS } from './constants.ts'
import { InvalidGuildBidRequestError } from './errors.ts'

export interface GuildBidRequest {
  /** The run the bid is for; the split's seed. */
  runId: string
  /** Lowercase hex SHA-256 of the spec as written. */
  specHash: string
  /** PeerId of the peer asking, which will pay. */
  submitter: string
  /** The guild asked to bid, and the hash of its signed record the submitter holds. */
  guildId: string
  guildHash: string
  /** The steps, each with the role it needs. */
  steps: WorkflowStepNeed[]
  /** The most the whole workflow may cost, micro-units. */
  budget: number
  /** Unix epoch ms after which an answer is not wanted. */
  deadline: number
}

const FIELDS = ['runId', 'specHash', 'submitter', 'guildId', 'guildHash', 'steps', 'budget', 'deadline'] as const
const STEP_FIELDS = ['step', 'role'] as const
const check = fieldCheckers((field, message) => new InvalidGuildBidRequestError(field, message), 'a guild bid request')

/** Checks the shape and limits of a bid request; returns a copy holding exactly its fields. */
export function parseGuildBidRequest (value: unknown): GuildBidRequest {
  const record = check.jsonObject(value, 'request')
  check.exactMembers(record, FIELDS, '')
  const runId = check.text(record.runId, 'runId', 1, MAX_RUN_ID_LENGTH)
  if (!RUN_ID.test(runId)) throw new InvalidGuildBidRequestError('runId', 'is not a run id')
  const guildId = check.text(record.guildId, 'guildId', 1, MAX_GUILD_ID_LENGTH)
  if (!GUILD_ID.test(guildId)) throw new InvalidGuildBidRequestError('guildId', 'is not a guild id')
  if (!Array.isArray(record.steps) || record.steps.length === 0 || record.steps.length > MAX_BID_REQUEST_STEPS) {
    throw new InvalidGuildBidRequestError('steps', `must list 1 to ${MAX_BID_REQUEST_STEPS} steps`)
  }
  const seen = new Set<string>()
  const steps = record.steps.map((value, i) => {
    const step = check.jsonObject(value, `steps.${i}`)
    check.exactMembers(step, STEP_FIELDS, `steps.${i}.`)
    const id = check.text(step.step, `steps.${i}.step`, 1, MAX_GUILD_ID_LENGTH)
    if (!GUILD_ID.test(id)) throw new InvalidGuildBidRequestError(`steps.${i}.step`, 'is not a step id')
    if (seen.has(id)) throw new InvalidGuildBidRequestError(`steps.${i}.step`, `step ${id} is listed twice`)
    seen.add(id)
    const role = check.text(step.role, `steps.${i}.role`, 1, 512)
    if (!ROLE_NAME.test(role)) throw new InvalidGuildBidRequestError(`steps.${i}.role`, 'is not a role')
    return { step: id, role }
  })
  return {
    runId,
    specHash: check.hex256(record.specHash, 'specHash'),
    submitter: check.peerId(record.submitter, 'submitter'),
    guildId,
    guildHash: check.hex256(record.guildHash, 'guildHash'),
    steps,
    budget: check.safeInteger(record.budget, 'budget', 0),
    deadline: check.safeInteger(record.deadline, 'deadline', 0)
  }
}
