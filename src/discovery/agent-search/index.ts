/** Text and tag search over published agents (the marketplace's), on an HNSW index. Pure. */
export { AGENT_SEARCH_DIMENSIONS, AgentSearch, manifestVector, queryVector } from './agent-search.ts'
export type { AgentSearchHit, AgentSearchInit, AgentSearchOptions, SearchableManifest } from './agent-search.ts'
