/**
 * Who should run a task: HNSW candidates by capability → hard filters
 * (requirements, reachability) → ranked by expected completion time from the
 * Q-router discounted by reputation, then by similarity. The reputation is the
 * caller's standing of each peer — TaskDispatch passes trust from checked work
 * only (trust/verification standing.ts), so an unchecked success never lifts a
 * peer. Pure: the caller passes the cards, the index, the router, who is
 * reachable and the standings.
 */
import { cosineSimilarity, isThrottled, matchesRequirements, queryVector } from '../discovery/index.ts'
import type { AgentCard, CardRequirements } from '../discovery/index.ts'
import type { HnswIndex } from '../discovery/hnsw/index.ts'
import type { QRouter } from './routing/index.ts'

/** How many nearest cards to consider before filtering. */
export const SELECTION_CANDIDATES = 16

/** Up to SELECTION_CANDIDATES × this many reachable peers, similarity is computed directly rather than through the index. */
const EXACT_SEARCH_FACTOR = 4

/** Reputation below this weighs no further: time is divided by at least this much. */
const MIN_REPUTATION_WEIGHT = 0.05

export interface RankedExecutor {
  peerId: string
  /** Cosine similarity of its capability vector to the request, 0–1. */
  similarity: number
  /** The router's expected completion time through this peer, ms. */
  expectedMs: number
  /** This peer's reputation score of it, 0–1. */
  reputation: number
  /** Why it was chosen (or where it ranks), for people. */
  reason: string
  /** Its card says the browser throttles it (class `background`, or hidden: docs/agent-card.md §11). */
  throttled: boolean
}

export interface SelectionInput {
  requirements: CardRequirements
  card(peerId: string): AgentCard | undefined
  index: HnswIndex
  router: QRouter
  /** Peers that can be reached now (announced and not refusing). */
  reachable: ReadonlySet<string>
  /** This peer's standing of each executor (e.g. executorStanding); neutral (0.5, not blacklisted) when omitted. */
  reputation?(peerId: string): { score: number, blacklisted: boolean }
}

/** The routing destination a request counts towards: its wanted tags and skills, or its module. */
export function destinationOf (requirements: CardRequirements): string {
  const wanted = [...(requirements.tags ?? []).map(t => `tag:${t.toLowerCase()}`), ...(requirements.skills ?? []).map(s => `skill:${s}`)].sort()
  if (wanted.length > 0) return wanted.join(',')
  return requirements.moduleHash == null ? 'any' : `module:${requirements.moduleHash}`
}

/** Candidates best first. Empty when no reachable card matches. */
export function rankExecutors (input: SelectionInput): RankedExecutor[] {
  const { requirements, index, router, reachable } = input
  const dest = destinationOf(requirements)
  const query = queryVector(requirements)
  const reputationOf = (id: string): { score: number, blacklisted: boolean } => input.reputation?.(id) ?? { score: 0.5, blacklisted: false }
  const eligible = (id: string): boolean => {
    const card = input.card(id)
    return reachable.has(id) && card != null && !reputationOf(id).blacklisted && matchesRequirements(card, requirements)
  }
  // A filtered graph search that can fill its candidate list only from a few
  // reachable peers ends up walking the whole graph; with that few, comparing
  // their vectors directly is both exact and cheaper.
  const hits = reachable.size <= SELECTION_CANDIDATES * EXACT_SEARCH_FACTOR
    ? [...reachable].filter(eligible).map(id => ({ id, distance: 1 - cosineSimilarity(query, input.card(id)!.capabilityVector) }))
    : index.search(query, SELECTION_CANDIDATES, { filter: eligible })
  const wantedTags = new Set((requirements.tags ?? []).map(tag => tag.toLowerCase()))
  return hits
    .map(hit => {
      const card = input.card(hit.id)
      const tags = new Set(card?.skills.flatMap(skill => skill.tags) ?? [])
      return {
        peerId: hit.id,
        similarity: Math.max(0, 1 - hit.distance),
        expectedMs: router.estimate(dest, [hit.id]),
        reputation: reputationOf(hit.id).score,
        tagsMet: [...wantedTags].filter(tag => tags.has(tag)).length,
        throttled: card !== undefined && isThrottled(card.availability)
      }
    })
    // A peer that has more of the wanted tags first, then similarity in coarse
    // steps (a specialist beats a generalist), then expected completion time
    // discounted by reputation (a neutral peer's time counts double, a
    // trusted one's barely more than itself).
    // A throttled (background) tab answers late whatever it runs: a
    // latency-sensitive task puts it after every unthrottled one (and
    // avoidThrottled drops it when enough others are eligible); any other task
    // uses it as readily as a foreground tab, only after an otherwise equal one.
    .sort((a, b) => throttledFirst(a, b, requirements.latencySensitive === true) ||
      b.tagsMet - a.tagsMet || Math.round((b.similarity - a.similarity) * 10) ||
      a.expectedMs / Math.max(a.reputation, MIN_REPUTATION_WEIGHT) - b.expectedMs / Math.max(b.reputation, MIN_REPUTATION_WEIGHT) ||
      throttledFirst(a, b, true) ||
      a.peerId.localeCompare(b.peerId))
    .map(({ tagsMet: _, ...ranked }) => ranked)
    .map((ranked, position, all) => ({
      ...ranked,
      reason: `${position === 0 ? 'best' : `#${position + 1}`} of ${all.length} matching peers: capability match ${(ranked.similarity * 100).toFixed(0)}%, expected ${Math.round(ranked.expectedMs)} ms, reputation ${ranked.reputation.toFixed(2)}${ranked.throttled ? ', a throttled background tab' : ''}`
    }))
}

/** Sort key: the unthrottled first when `applies`, else no preference. */
function throttledFirst (a: { throttled: boolean }, b: { throttled: boolean }, applies: boolean): number {
  return applies ? Number(a.throttled) - Number(b.throttled) : 0
}

/**
 * For a latency-sensitive task: the ranked executors without the throttled
 * ones, when at least `needed` unthrottled ones remain (a redundant task
 * needs several); otherwise all of them, as ranked (the throttled last).
 */
export function avoidThrottled<T extends { throttled: boolean }> (ranked: readonly T[], needed = 1): T[] {
  const unthrottled = ranked.filter(executor => !executor.throttled)
  return unthrottled.length >= Math.max(1, needed) ? unthrottled : [...ranked]
}

/**
 * Of executors ranked best first, the one to send one more task to, given
 * how many of this tab's tasks each already has (in flight or waiting for a
 * turn) and how many it runs at once: the best-ranked with a free slot, so
 * that tasks sent together — a workflow's ready steps, the items of a
 * fan-out — spread over the mesh instead of queueing on the single best
 * peer; when every slot is taken, the least loaded for its slots (ties to
 * the better ranked). Undefined for an empty list.
 */
export function leastLoaded<T extends { peerId: string }> (ranked: readonly T[], load: (peerId: string) => number, slots: (peerId: string) => number): T | undefined {
  let best: { candidate: T, share: number } | undefined
  for (const candidate of ranked) {
    const capacity = Math.max(1, slots(candidate.peerId))
    const taken = load(candidate.peerId)
    if (taken < capacity) return candidate
    const share = taken / capacity
    if (best === undefined || share < best.share) best = { candidate, share }
  }
  return best?.candidate
}
