/**
 * The relay's gossip rules for what agents publish (issue 14's topics): agent
 * manifests, guild records and Shapley split records. With them the relay
 * routes these topics between the tabs and Node peers attached to it, as it
 * routes presence and Agent Cards, instead of leaving them to the peers'
 * direct connections; and like those, a message is checked before it is
 * forwarded, with the same verification every peer runs (signatures, the
 * split recomputed to the micro-unit), per-author rates and limits.
 *
 * The context topics (`/zerostate/workflow-context/1/<runId>`) are one per
 * run: the relay does not subscribe to them (a run's participants are
 * connected to its submitter).
 */
import { bytesToUtf8 } from '../core/index.ts'
import {
  AGENT_MANIFEST_TOPIC, AgentManifestKeyMismatchError, AgentManifestNotYetValidError, AgentManifestSignatureError, MAX_AGENT_MANIFEST_BYTES,
  verifyAgentManifest
} from '../discovery/agent-manifest/index.ts'
import { GuildExpiredError, GuildNotYetValidError, GuildSignatureError, verifyGuild } from '../economy/guild/index.ts'
import { SplitMismatchError, SplitRecordKeyMismatchError, SplitRecordSignatureError, verifySplitRecord } from '../economy/shapley/index.ts'
import { GUILD_TOPIC, MAX_GUILD_MESSAGE_BYTES, MAX_SPLIT_MESSAGE_BYTES, SPLIT_TOPIC } from '../orchestration/guilds/index.ts'
import {
  AGENT_RATE_WINDOW_MS, GUILD_FLOOD_PER_WINDOW, GUILD_MESSAGES_PER_WINDOW, MANIFEST_FLOOD_PER_WINDOW, MANIFEST_MESSAGES_PER_WINDOW,
  SPLIT_FLOOD_PER_WINDOW, SPLIT_MESSAGES_PER_WINDOW
} from './constants.ts'
import type { GossipDropReason, TopicRule } from './relay-validators.ts'

/** A verification error's verdict: a lie about who signed or what it recomputes to is forged, a clock matter stale, the rest malformed. */
function verdict (err: unknown, forged: ReadonlySet<string>, stale: ReadonlySet<string>): GossipDropReason {
  const name = err instanceof Error ? err.name : ''
  return forged.has(name) ? 'forged' : stale.has(name) ? 'stale' : 'malformed'
}

function json (data: Uint8Array): unknown {
  return JSON.parse(bytesToUtf8(data))
}

const FORGED_MANIFEST = new Set([AgentManifestSignatureError.name, AgentManifestKeyMismatchError.name])
const STALE_MANIFEST = new Set([AgentManifestNotYetValidError.name])

/**
 * Agent manifests (docs/agent-manifest.md): any peer may relay an author's
 * manifest (its signature is what counts), so the author of the gossip
 * message need not be the manifest's.
 */
export function agentManifestRule (): TopicRule {
  return {
    topic: AGENT_MANIFEST_TOPIC,
    maxBytes: MAX_AGENT_MANIFEST_BYTES,
    messagesPerWindow: MANIFEST_MESSAGES_PER_WINDOW,
    floodPerWindow: MANIFEST_FLOOD_PER_WINDOW,
    windowMs: AGENT_RATE_WINDOW_MS,
    check: (message, now) => {
      try {
        verifyAgentManifest(json(message.data), { now })
        return undefined
      } catch (err) {
        return verdict(err, FORGED_MANIFEST, STALE_MANIFEST)
      }
    }
  }
}

const FORGED_GUILD = new Set([GuildSignatureError.name])
const STALE_GUILD = new Set([GuildExpiredError.name, GuildNotYetValidError.name])

/** Guild records (docs/guild.md §2): every member's signature checked, valid now. */
export function guildRule (): TopicRule {
  return {
    topic: GUILD_TOPIC,
    maxBytes: MAX_GUILD_MESSAGE_BYTES,
    messagesPerWindow: GUILD_MESSAGES_PER_WINDOW,
    floodPerWindow: GUILD_FLOOD_PER_WINDOW,
    windowMs: AGENT_RATE_WINDOW_MS,
    check: (message, now) => {
      try {
        verifyGuild(json(message.data), { now })
        return undefined
      } catch (err) {
        return verdict(err, FORGED_GUILD, STALE_GUILD)
      }
    }
  }
}

const FORGED_SPLIT = new Set([SplitRecordSignatureError.name, SplitRecordKeyMismatchError.name, SplitMismatchError.name])

/**
 * Shapley split records (docs/shapley-split.md): signed by the message's
 * author, and recomputed from the record alone before it is forwarded — a
 * split that does not recompute to the micro-unit is forged.
 */
export function splitRule (): TopicRule {
  return {
    topic: SPLIT_TOPIC,
    maxBytes: MAX_SPLIT_MESSAGE_BYTES,
    messagesPerWindow: SPLIT_MESSAGES_PER_WINDOW,
    floodPerWindow: SPLIT_FLOOD_PER_WINDOW,
    windowMs: AGENT_RATE_WINDOW_MS,
    check: (message) => {
      try {
        const record = verifySplitRecord(json(message.data))
        return record.signer === message.from.toString() ? undefined : 'forged'
      } catch (err) {
        return verdict(err, FORGED_SPLIT, new Set())
      }
    }
  }
}
