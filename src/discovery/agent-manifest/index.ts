/**
 * Agent packages: the signed agent manifest (docs/agent-manifest.md) that
 * names an agent's WebAssembly modules by SHA-256, the SemVer rules and refs
 * (`name@^1.2`) that pick a version, and the registry's pure rules — identity
 * (author, name), supersession by newer versions, no name squatting,
 * resolution that refuses ambiguity. No I/O: the gossip topic, the fetch by
 * hash and the IndexedDB cache are built on top.
 *
 * @example
 * const manifest = await signAgentManifest(fields, identity)
 * const registry = createAgentRegistry()
 * registry.offer(verifyAgentManifest(JSON.parse(text), { now: Date.now() }))
 * const chosen = registry.resolve('sentiment@^1.2', { trustedAuthors })
 * checkModuleBytes(chosen, entryModule(chosen).name, bytes)
 */
export {
  AGENT_MANIFEST_KIND, AGENT_MANIFEST_TOPIC, AUTHOR_TAG_LENGTH, DEFAULT_MAX_AGENTS, DEFAULT_MAX_VERSIONS_PER_AGENT, MAX_AGENT_MANIFEST_BYTES,
  MAX_AGENT_MANIFEST_CLOCK_SKEW_MS, MAX_AGENT_NAME_LENGTH, MAX_EXAMPLE_IO_BYTES, MAX_MANIFEST_EXAMPLES, MAX_MANIFEST_MODULES,
  MAX_MANIFEST_SKILLS, MAX_VERSION_LENGTH
} from './constants.ts'
export {
  AgentManifestKeyMismatchError, AgentManifestNotYetValidError, AgentManifestSignatureError, AgentManifestTooLargeError, AgentNotFoundError,
  AmbiguousAgentNameError, InvalidAgentManifestError, InvalidAgentRefError, InvalidAgentRegistryOptionsError, InvalidVersionError,
  ManifestModuleMismatchError, NoMatchingAgentVersionError
} from './errors.ts'
export { compareSemVer, isSemVer, parseSemVer, parseVersionRange, satisfies } from './semver.ts'
export type { SemVer, VersionRange } from './semver.ts'
export { AGENT_NAME_PATTERN, isAgentName, parseAgentRef } from './agent-ref.ts'
export type { AgentRef } from './agent-ref.ts'
export { AGENT_MANIFEST_FIELDS, UNSIGNED_MANIFEST_FIELDS, exampleBytes, isSpdxExpression } from './manifest-schema.ts'
export {
  agentManifestHash, checkModuleBytes, checkModuleBytesAsync, entryModule, parseAgentManifest, signAgentManifest, verifyAgentManifest
} from './manifest.ts'
export type { VerifyAgentManifestOptions } from './manifest.ts'
export { authorTag, createAgentRegistry } from './registry.ts'
export type { AgentEntry, AgentRegistry, AgentRegistryInit, IgnoredReason, OfferOutcome, ResolveOptions } from './registry.ts'
export type {
  AgentManifest, AgentManifestFields, ExampleBytes, ManifestDefaults, ManifestExample, ManifestModule, ManifestSkill, UnsignedAgentManifest
} from './types.ts'
