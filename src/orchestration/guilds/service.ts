/**
 * Guilds between peers (docs/guild.md, "On the wire"):
 *
 * - **Forming.** The peer forming a guild sends every other member an
 *   invitation, `{ type: 'invite', guild }` on /zerostate/guild/1.0.0, with
 *   the unsigned record; a member whose policy accepts it answers with its
 *   signature over that record. With every signature in hand the record is
 *   assembled, verified and published on /zerostate/guilds/1.0.0. Nobody is
 *   made a member without signing: a missing signature is a missing guild.
 * - **Knowing.** Every peer verifies every guild record on the topic (all
 *   members' signatures, validity) before gossipsub forwards it, keeps the
 *   valid ones (GuildDirectory) and re-publishes its own to newcomers.
 * - **Bidding.** A submitter asks a guild it knows for a bid on a workflow
 *   run, `{ type: 'bid', request }`, member after member in the record's
 *   order until one answers; the member that answers is the bid's lead and
 *   signs it. The answer is verified against the guild (verifyGuildBid) and
 *   the request (run, spec, steps, budget) before it counts.
 *
 * What a member accepts and what it quotes are the peer's policy, given in
 * the Init; by default it declines both.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { AbortOptions } from '@libp2p/interface'
import type { GossipSub } from '@libp2p/gossipsub'
import { withTimeout } from '../../core/abort.ts'
import { bytesToBase64Url, bytesToUtf8, utf8ToBytes } from '../../core/encoding.ts'
import { noopLogger } from '../../core/logger.ts'
import type { Logger } from '../../core/logger.ts'
import type { PeerIdentity } from '../../crypto/identity.ts'
import {
  assembleGuild, guildBody, guildHash, guildMember, signGuildBid, signGuildBody, verifyGuild, verifyGuildBid
} from '../../economy/guild/index.ts'
import type { Guild, GuildBid, GuildBidStep, GuildMember, GuildOffer, GuildSignature, UnsignedGuild, WorkflowStepNeed } from '../../economy/guild/index.ts'
import type { ConnectionTo, ProtocolRegistrar } from '../../network/components.ts'
import { requestJson, serveJson } from '../../network/json-exchange.ts'
import { ProtocolHandler } from '../../network/protocol-handler.ts'
import { TopicChannel, accept, ignore } from '../../network/topic-channel.ts'
import { splitRecordHash, verifySplitRecord } from '../../economy/shapley/index.ts'
import type { SplitRecord } from '../../economy/shapley/index.ts'
import { parseGuildBidRequest } from './bid-request.ts'
import type { GuildBidRequest } from './bid-request.ts'
import {
  BID_REQUEST_TIMEOUT_MS, GUILD_ANNOUNCE_RATE, GUILD_PROTOCOL, GUILD_TOPIC, INVITE_TIMEOUT_MS, MAX_GUILD_ANSWER_BYTES, MAX_GUILD_MESSAGE_BYTES,
  MAX_GUILD_REQUEST_BYTES, MAX_INBOUND_GUILD_STREAMS, MAX_KEPT_SPLITS, MAX_SPLIT_MESSAGE_BYTES, SPLIT_ANNOUNCE_RATE, SPLIT_TOPIC
} from './constants.ts'
import { GuildDirectory } from './directory.ts'
import { GuildBidDeclinedError, GuildInviteDeclinedError, UnknownGuildRequestError } from './errors.ts'

/** What a lead bids for a request: a member and a price per step, and the whole run's expected time. */
export interface GuildQuote {
  steps: GuildBidStep[]
  expectedMs: number
}

export interface GuildServiceInit {
  /** Whether this peer signs `guild`, to which `from` (a member) invites it. Default: it declines. */
  acceptInvite?(guild: UnsignedGuild, from: string): boolean | Promise<boolean>
  /** What this peer, as a member of `guild`, bids for `request`; undefined declines. Default: it declines. */
  quote?(request: GuildBidRequest, guild: Guild): GuildQuote | undefined | Promise<GuildQuote | undefined>
  /** Told when the guilds this peer knows (or is in) change. */
  onChange?(): void
  now?(): number
  maxInboundStreams?: number
  maxKnownGuilds?: number
}

export interface GuildServiceComponents {
  identity: PeerIdentity
  registrar: ProtocolRegistrar
  pubsub: GossipSub
  connectionTo: ConnectionTo
  logger?: Logger
}

/** A member of a guild being formed; its key is read from its PeerId. */
export type GuildMemberSpec = Omit<GuildMember, 'publicKey'>

export interface FormGuildRequest {
  guildId: string
  name: string
  /** Every member, this peer among them; the record lists them in this order. */
  members: GuildMemberSpec[]
  /** How long the guild is valid from now. */
  ttlMs: number
}

/** What the submitter asks of every guild: the run, its spec, its steps and the budget. */
export type WorkflowBidCall = Omit<GuildBidRequest, 'guildId' | 'guildHash' | 'submitter'>

export interface GuildBidsResult {
  offers: GuildOffer[]
  /** Guilds that did not bid, with the error's name or message. */
  declined: Array<{ guildId: string, guildHash: string, reason: string }>
}

type GuildRequest = { type: 'invite', guild: UnsignedGuild } | { type: 'bid', request: GuildBidRequest }

export class GuildService {
  private readonly components: GuildServiceComponents
  private readonly init: GuildServiceInit
  private readonly now: () => number
  private readonly logger: Logger
  private readonly self: string
  private readonly directory: GuildDirectory
  private readonly handler: ProtocolHandler
  private readonly channel: TopicChannel<Guild>
  /** Hashes of the guilds this peer is a member of (their records are in the directory). */
  private readonly mine = new Set<string>()
  private readonly splitChannel: TopicChannel<SplitRecord>
  /** Verified split records, newest first, by hash. */
  private readonly splitRecords = new Map<string, SplitRecord>()

  constructor (components: GuildServiceComponents, init: GuildServiceInit = {}) {
    this.components = components
    this.init = init
    this.now = init.now ?? Date.now
    this.logger = components.logger ?? noopLogger
    this.self = components.identity.peerId.toString()
    this.directory = new GuildDirectory(init.maxKnownGuilds)
    this.handler = new ProtocolHandler(components.registrar, GUILD_PROTOCOL, async (stream, connection) => {
      const from = connection.remotePeer.toString()
      await serveJson(stream, async request => this.serve(request, from), { maxBytes: MAX_GUILD_REQUEST_BYTES })
    }, { maxInboundStreams: init.maxInboundStreams ?? MAX_INBOUND_GUILD_STREAMS })
    this.channel = new TopicChannel<Guild>(components.pubsub, {
      topic: GUILD_TOPIC,
      maxMessageBytes: MAX_GUILD_MESSAGE_BYTES,
      rate: GUILD_ANNOUNCE_RATE,
      validate: message => {
        // Every member's signature is checked before gossipsub forwards the record: a forged guild reaches no one.
        const guild = verifyGuild(JSON.parse(bytesToUtf8(message.data)), { now: this.now() })
        const outcome = this.take(guild)
        return outcome === 'added' ? accept(guild) : ignore(outcome)
      },
      onMessage: () => {},
      // A newcomer learns the guilds this peer is in.
      onSubscriber: () => { void this.republish() },
      logger: this.logger
    })
    this.splitChannel = new TopicChannel<SplitRecord>(components.pubsub, {
      topic: SPLIT_TOPIC,
      maxMessageBytes: MAX_SPLIT_MESSAGE_BYTES,
      rate: SPLIT_ANNOUNCE_RATE,
      validate: message => {
        // Recomputed before it is forwarded: a split that does not recompute to the micro-unit reaches no one.
        const record = verifySplitRecord(JSON.parse(bytesToUtf8(message.data)))
        if (record.signer !== message.from.toString()) return ignore('not-signer')
        return this.keepSplit(record) ? accept(record) : ignore('duplicate')
      },
      onMessage: () => {},
      logger: this.logger
    })
  }

  async start (): Promise<void> {
    this.channel.start()
    this.splitChannel.start()
    await this.handler.start()
  }

  async stop (): Promise<void> {
    await this.handler.stop()
    this.splitChannel.stop()
    this.channel.stop()
  }

  /** The split records this peer verified (its own and the mesh's), newest first. */
  splits (): SplitRecord[] {
    return [...this.splitRecords.values()].reverse()
  }

  /** Keeps and publishes a split record this peer signed, verified (recomputed) first, so that any peer can check it. */
  async publishSplit (record: SplitRecord): Promise<void> {
    const verified = verifySplitRecord(record)
    this.keepSplit(verified)
    await this.splitChannel.publish(utf8ToBytes(JSON.stringify(verified))).catch(err => { this.logger.debug('publishing a split record', err) })
  }

  private keepSplit (record: SplitRecord): boolean {
    const hash = splitRecordHash(record)
    if (this.splitRecords.has(hash)) return false
    this.splitRecords.set(hash, record)
    if (this.splitRecords.size > MAX_KEPT_SPLITS) this.splitRecords.delete(this.splitRecords.keys().next().value!)
    this.init.onChange?.()
    return true
  }

  /** The valid guilds this peer knows, its own among them. */
  known (): Guild[] {
    return this.directory.list(this.now()).map(entry => entry.guild)
  }

  /** The valid guilds this peer is a member of. */
  own (): Guild[] {
    return this.directory.list(this.now()).filter(entry => this.mine.has(entry.hash)).map(entry => entry.guild)
  }

  /**
   * Forms a guild: signs it, invites every other member (all at once), and
   * once every one has signed, verifies, keeps and publishes it. Rejects with
   * GuildInviteDeclinedError naming the first member that declined or could
   * not be reached; nothing is published then.
   */
  async form (request: FormGuildRequest, options: AbortOptions = {}): Promise<Guild> {
    const createdAt = this.now()
    const body = guildBody({
      guildId: request.guildId,
      name: request.name,
      members: request.members.map(member => ({ ...member, publicKey: publicKeyOf(member.peerId) })),
      createdAt,
      expiresAt: createdAt + request.ttlMs
    })
    if (!isMember(body, this.self)) throw new RangeError('the peer forming a guild is one of its members')
    const others = body.members.filter(member => member.peerId !== this.self)
    const signatures: GuildSignature[] = await Promise.all([
      signGuildBody(body, this.components.identity),
      ...others.map(async member => this.invite(member.peerId, body, options))
    ])
    const guild = verifyGuild(assembleGuild(body, signatures), { now: this.now() })
    this.take(guild)
    await this.publish(guild)
    return guild
  }

  /**
   * Asks every valid guild this peer knows whose members list every role of
   * `call.steps` for a bid, all at once, and keeps the bids that verify
   * against their guild and match the call. Waits until every guild answered
   * or `call.deadline`.
   */
  async requestBids (call: WorkflowBidCall, options: AbortOptions = {}): Promise<GuildBidsResult> {
    const roles = [...new Set(call.steps.map(step => step.role))]
    const candidates = this.directory.able(roles, this.now())
    const result: GuildBidsResult = { offers: [], declined: [] }
    const deadline = AbortSignal.timeout(Math.max(0, Math.min(call.deadline - this.now(), BID_REQUEST_TIMEOUT_MS)))
    const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline])
    await Promise.all(candidates.map(async ({ hash, guild }) => {
      try {
        result.offers.push(await this.requestBid(guild, hash, call, { signal }))
      } catch (err) {
        result.declined.push({ guildId: guild.guildId, guildHash: hash, reason: reasonOf(err) })
      }
    }))
    return result
  }

  /** One guild's bid for `call`: asked of its members in order until one bids. */
  async requestBid (guild: Guild, hash: string, call: WorkflowBidCall, options: AbortOptions = {}): Promise<GuildOffer> {
    const request: GuildBidRequest = { ...call, guildId: guild.guildId, guildHash: hash, submitter: this.self }
    let last: unknown = new GuildBidDeclinedError(`no member of guild ${guild.guildId} bid`)
    for (const member of guild.members) {
      if (member.peerId === this.self) continue
      options.signal?.throwIfAborted()
      try {
        const connection = await this.components.connectionTo(member.peerId, { signal: withTimeout(options.signal, BID_REQUEST_TIMEOUT_MS) })
        const answer = await requestJson(connection, GUILD_PROTOCOL, { type: 'bid', request } satisfies GuildRequest, {
          maxBytes: MAX_GUILD_ANSWER_BYTES, signal: withTimeout(options.signal, BID_REQUEST_TIMEOUT_MS)
        })
        const bid = verifyGuildBid(answer, guild, { now: this.now() })
        checkBidMatches(bid, request, member.peerId)
        return { guild, bid }
      } catch (err) {
        if (options.signal?.aborted === true) throw err
        last = err
      }
    }
    throw last
  }

  private async invite (member: string, body: UnsignedGuild, options: AbortOptions): Promise<GuildSignature> {
    try {
      const connection = await this.components.connectionTo(member, { signal: withTimeout(options.signal, INVITE_TIMEOUT_MS) })
      const answer = await requestJson(connection, GUILD_PROTOCOL, { type: 'invite', guild: body } satisfies GuildRequest, {
        maxBytes: MAX_GUILD_ANSWER_BYTES, signal: withTimeout(options.signal, INVITE_TIMEOUT_MS)
      }) as Partial<GuildSignature>
      if (answer?.member !== member || typeof answer.signature !== 'string') throw new Error('the answer is not its signature')
      // assembleGuild and verifyGuild check the signature itself.
      return { member, signature: answer.signature }
    } catch (err) {
      throw new GuildInviteDeclinedError(member, `${member} did not sign guild ${body.guildId}: ${reasonOf(err)}`, { cause: err })
    }
  }

  private async serve (value: unknown, from: string): Promise<unknown> {
    const type = (value as { type?: unknown } | null)?.type
    if (type === 'invite') return this.answerInvite((value as { guild?: unknown }).guild, from)
    if (type === 'bid') return this.answerBid((value as { request?: unknown }).request, from)
    throw new UnknownGuildRequestError('a guild request is an invite or a bid request')
  }

  private async answerInvite (value: unknown, from: string): Promise<GuildSignature> {
    const body = guildBody(value as UnsignedGuild)
    if (!isMember(body, from)) throw new GuildInviteDeclinedError(this.self, 'only a member invites to a guild')
    if (!isMember(body, this.self)) throw new GuildInviteDeclinedError(this.self, 'this peer is not a member of that guild')
    const now = this.now()
    if (body.expiresAt <= now) throw new GuildInviteDeclinedError(this.self, 'the guild has expired')
    if (await this.init.acceptInvite?.(body, from) !== true) throw new GuildInviteDeclinedError(this.self, `${this.self} declines to join guild ${body.guildId}`)
    // signGuildBody checks that the key listed for this peer is its own.
    return signGuildBody(body, this.components.identity)
  }

  private async answerBid (value: unknown, from: string): Promise<GuildBid> {
    const request = parseGuildBidRequest(value)
    if (request.submitter !== from) throw new GuildBidDeclinedError('a bid request comes from its submitter')
    const now = this.now()
    if (request.deadline <= now) throw new GuildBidDeclinedError('the request\'s deadline has passed')
    const guild = this.mine.has(request.guildHash) ? this.directory.get(request.guildHash) : undefined
    if (guild === undefined || guild.guildId !== request.guildId || guild.expiresAt <= now) {
      throw new GuildBidDeclinedError(`this peer is not a member of guild ${request.guildId} (${request.guildHash})`)
    }
    const quote = await this.init.quote?.(request, guild)
    if (quote === undefined) throw new GuildBidDeclinedError(`guild ${guild.guildId} does not bid on run ${request.runId}`)
    const price = quote.steps.reduce((sum, step) => sum + step.price, 0)
    if (price > request.budget) throw new GuildBidDeclinedError(`guild ${guild.guildId} would charge ${price} µ, above the budget of ${request.budget} µ`)
    return signGuildBid({
      guildId: guild.guildId,
      guildHash: request.guildHash,
      runId: request.runId,
      specHash: request.specHash,
      lead: this.self,
      price,
      expectedMs: Math.max(1, Math.round(quote.expectedMs)),
      steps: quote.steps,
      at: now,
      publicKey: bytesToBase64Url(this.components.identity.publicKey)
    }, this.components.identity)
  }

  /** Keeps a verified guild; remembers it as this peer's when it is a member. */
  private take (guild: Guild): ReturnType<GuildDirectory['offer']> {
    const hash = guildHash(guild)
    const outcome = this.directory.offer(guild, hash, this.now())
    if (outcome === 'added') {
      if (guildMember(guild, this.self) !== undefined) this.mine.add(hash)
      this.init.onChange?.()
    }
    return outcome
  }

  private async publish (guild: Guild): Promise<void> {
    await this.channel.publish(utf8ToBytes(JSON.stringify(guild))).catch(err => { this.logger.debug('publishing a guild', err) })
  }

  private async republish (): Promise<void> {
    for (const guild of this.own()) await this.publish(guild)
  }
}

export function guildService (init: GuildServiceInit = {}): (components: GuildServiceComponents) => GuildService {
  return components => new GuildService(components, init)
}

function isMember (body: UnsignedGuild, peerId: string): boolean {
  return body.members.some(member => member.peerId === peerId)
}

/** The raw Ed25519 key inside an Ed25519 PeerId, unpadded base64url, as a guild member lists it. */
function publicKeyOf (peerId: string): string {
  const key = peerIdFromString(peerId).publicKey
  if (key === undefined || key.type !== 'Ed25519') throw new RangeError(`${peerId} is not an Ed25519 PeerId`)
  return bytesToBase64Url(key.raw)
}

/** The bid is for the request's run and spec, by the member asked, covering exactly its steps and roles, within its budget. */
function checkBidMatches (bid: GuildBid, request: GuildBidRequest, asked: string): void {
  const wanted = new Map<string, string>(request.steps.map((step: WorkflowStepNeed) => [step.step, step.role]))
  const fits = bid.runId === request.runId && bid.specHash === request.specHash && bid.lead === asked && bid.price <= request.budget &&
    bid.steps.length === wanted.size && bid.steps.every(step => wanted.get(step.step) === step.role)
  if (!fits) throw new GuildBidDeclinedError(`the bid of ${asked} does not answer the request for run ${request.runId}`)
}

function reasonOf (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  return err.name === 'RemoteRequestError' ? err.message : `${err.name}: ${err.message}`
}
