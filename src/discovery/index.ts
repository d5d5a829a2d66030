/**
 * Discovery: signed Agent Cards (format version 1, docs/agent-card.md) that
 * peers publish on gossipsub, the capability vector derived from them for
 * k-NN search, the cache that keeps the newest valid card of each peer, and
 * the service that publishes this peer's card and indexes the others'.
 */
export {
  AGENT_CARD_REFRESH_MS, AGENT_CARD_TOPIC, AGENT_CARD_VERSION_1, AGENT_CARD_VERSION_2, AGENT_CARD_VERSIONS, CAPABILITY_VECTOR_DIMENSIONS, DEFAULT_AGENT_CARD_TTL_MS,
  MAX_AGENT_CARD_BYTES, MAX_AGENT_CARD_CLOCK_SKEW_MS, MAX_CARD_INTERFACES, MAX_AGENT_CARD_TTL_MS, MAX_CACHED_PEERS, MAX_CARDS_PER_PEER_PER_MINUTE,
  MAX_SKILL_TAGS, MAX_TAG_LENGTH, MAX_WARM_MODULES, MICRO_UNITS_PER_UNIT
} from './constants.ts'
export { SKILL_TAG_PATTERN, checkSkillTags, isSkillTag } from './skill-tags.ts'
export { AgentCardService } from './card-service.ts'
export { AVAILABILITY_CLASSES, LAG_WINDOW, MAX_TIMER_LAG_MS, MINUTE_WAKE_UP_LAG_MS, THROTTLED_LAG_MS, classifyAvailability, isThrottled, lagBand } from './availability-class.ts'
export type { AvailabilityObservation, MeasuredAvailability } from './availability-class.ts'
export { AvailabilityProbe, PROBE_DELAY_MS, documentPage } from './availability-probe.ts'
export type { AvailabilityProbeComponents, AvailabilityProbeInit, ObservedPage } from './availability-probe.ts'
export type { AgentCardServiceComponents, AgentCardServiceInit, OwnCapabilities } from './card-service.ts'
export {
  AgentCardCapacityError, AgentCardExpiredError, AgentCardFloodError, AgentCardKeyMismatchError, AgentCardNotYetValidError,
  AgentCardReplayError, AgentCardSenderMismatchError, AgentCardSignatureError, AgentCardTooLargeError, AgentCardVectorMismatchError,
  InvalidAgentCardError
} from './errors.ts'
export { agentCardToJson, parseAgentCard, signAgentCard, verifyAgentCard } from './agent-card.ts'
export type { VerifyAgentCardOptions } from './agent-card.ts'
export type { AgentCard, AgentCardFields, AgentSkill, AvailabilityClass, CardAvailability, CardBenchmark, CardInterface, CardPrices, UnsignedAgentCard } from './types.ts'
export {
  VECTOR_BLOCKS, VECTOR_WEIGHTS, capabilityVector, cosineSimilarity, matchesRequirements, queryVector
} from './capability-vector.ts'
export type { CapabilityFields, CardRequirements } from './capability-vector.ts'
export { CARD_REJECTIONS, createAgentCardCache } from './card-cache.ts'
export type {
  AgentCardCache, AgentCardCacheComponents, AgentCardCacheInit, AgentCardCacheStats, CardRejection, OfferOptions, OfferOutcome
} from './card-cache.ts'
