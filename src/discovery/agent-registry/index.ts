/**
 * The agent registry on the mesh (docs/agent-manifest.md §12). Signed agent
 * manifests travel on AGENT_MANIFEST_TOPIC; each is verified before gossipsub
 * forwards it, offered to the pure registry (agent-manifest/registry.ts:
 * identity is (author, name), newer versions supersede, no name squatting),
 * kept in the store and re-published when a new peer subscribes, so a peer
 * that joins later learns the agents published before it. The modules the
 * held manifests name are served over /zerostate/module/1.0.0, and fetched
 * by hash — from the peers that sent the manifest, then connected peers —
 * and checked against the manifest before they are stored or run.
 *
 * @example
 * ```ts
 * const agents = agentRegistryService({ onAgent: event => { show(event) } })({
 *   identity, store, pubsub, registrar: node, connectionTo, connectedPeers
 * })
 * await agents.start()
 * const manifest = await agents.publish({ fields, modules: { 'echo.wasm': bytes } })
 * const { module } = await agents.resolveModule('echo@^1')   // on another peer
 * ```
 */
import { GossipAgentRegistry } from './registry-service.ts'
import type { AgentRegistryComponents, AgentRegistryInit } from './registry-service.ts'

export * from './constants.ts'
export { BUILT_IN_AGENTS_URL, builtInAgentFields, holdBuiltInAgents, holdServedBuiltInAgents, parseBuiltInAgentIndex } from './built-ins.ts'
export type { BuiltInAgent, BuiltInAgentIndex, BuiltInHolder } from './built-ins.ts'
export { AgentModuleMissingError, AgentModuleUnavailableError, AgentPublishRefusedError } from './errors.ts'
export type {
  AgentPackage, AgentPackageFields, AgentRegistryComponents, AgentRegistryEvent, AgentRegistryInit, ResolvedAgent
} from './registry-service.ts'

/** A peer's agent registry: started and stopped with the peer. */
export type AgentRegistryService = Pick<GossipAgentRegistry, 'start' | 'stop' | 'publish' | 'publishManifest' | 'holdServed' | 'holds' | 'list' | 'resolve' | 'resolveModule'>

export function agentRegistryService (init: AgentRegistryInit = {}): (components: AgentRegistryComponents) => AgentRegistryService {
  return components => new GossipAgentRegistry(components, init)
}
