/**
 * Limits and timings of the agent registry service (docs/agent-manifest.md
 * §12): how fast one identity may publish manifests, how held manifests are
 * re-published to peers that join later, and where a module is fetched from.
 */
import type { RateLimit } from '../../network/rate-limit.ts'

/**
 * Manifests taken from one gossip identity (the signed `from`: the author or
 * a peer re-publishing). The burst covers one re-publication round
 * (MAX_REPUBLISHED_PER_ROUND) plus a few of the sender's own; past it a
 * sender gets one a second.
 */
export const AGENT_MANIFEST_RATE: RateLimit = { burst: 32, perSecond: 1 }

/**
 * How long after a new subscriber appears the held manifests are re-published:
 * bursts of newcomers make one round, after gossipsub has grafted them (~1 s
 * heartbeat), as the Agent Card service does.
 */
export const REPUBLISH_AFTER_SUBSCRIBER_MS = 1500

/** Manifests re-published in one round at most: the latest version of each agent, this peer's own first, then the most recently published. */
export const MAX_REPUBLISHED_PER_ROUND = 24

/**
 * What this peer publishes on the topic, re-publications and its own
 * manifests together, paced below the receivers' AGENT_MANIFEST_RATE so that
 * no round is ever taken for a flood: a round spends at most the tokens
 * held, and what it could not send waits for the next newcomer.
 */
export const AGENT_MANIFEST_SEND_RATE: RateLimit = { burst: MAX_REPUBLISHED_PER_ROUND, perSecond: 0.5 }

/** Peers remembered per manifest as having sent it: the first asked for its modules. */
export const MAX_SOURCES_PER_MANIFEST = 8

/** Peers asked for a module in all (sources first, then connected peers) before resolveModule gives up. */
export const MAX_MODULE_FETCH_ATTEMPTS = 8

/**
 * How long resolveModule waits for an agent it does not hold yet, while
 * connected to peers: a peer that just joined learns the agents in the
 * re-publication round its subscription starts (REPUBLISH_AFTER_SUBSCRIBER_MS
 * later), so a name asked for at once is usually on its way.
 */
export const UNKNOWN_AGENT_WAIT_MS = 10_000
