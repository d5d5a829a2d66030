/** The ways an agent manifest, a module, a version, a ref or a resolution can be refused; callers tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'

/** Thrown when a value is not a well-formed agent manifest; `field` names the first bad field (`skills[0].inputModes[1]`). */
export class InvalidAgentManifestError extends Error {
  static { nameError(this, 'InvalidAgentManifestError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`agent manifest field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a manifest's canonical form is longer than MAX_AGENT_MANIFEST_BYTES. */
export class AgentManifestTooLargeError extends Error {
  static { nameError(this, 'AgentManifestTooLargeError') }
}

/** Thrown when a manifest's `publicKey` is not the key inside its `author`, or when asked to sign as someone else. */
export class AgentManifestKeyMismatchError extends Error {
  static { nameError(this, 'AgentManifestKeyMismatchError') }
}

/** Thrown when a manifest's signature does not verify: forged, or altered after signing. */
export class AgentManifestSignatureError extends Error {
  static { nameError(this, 'AgentManifestSignatureError') }
}

/** Thrown when a manifest's `publishedAt` is further ahead of the verifier's clock than MAX_AGENT_MANIFEST_CLOCK_SKEW_MS. */
export class AgentManifestNotYetValidError extends Error {
  static { nameError(this, 'AgentManifestNotYetValidError') }
}

/** Thrown when a module's bytes do not have the size or the SHA-256 its manifest states. */
export class ManifestModuleMismatchError extends Error {
  static { nameError(this, 'ManifestModuleMismatchError') }
  /** The module's `name` in the manifest. */
  readonly module: string

  constructor (module: string, message: string) {
    super(message)
    this.module = module
  }
}

/** Thrown when a string is not a SemVer 2.0.0 version (or its numbers are above 2^53 − 1). */
export class InvalidVersionError extends Error {
  static { nameError(this, 'InvalidVersionError') }
}

/** Thrown when a string is not an agent ref: `name`, `name@version` or `name@range`. */
export class InvalidAgentRefError extends Error {
  static { nameError(this, 'InvalidAgentRefError') }
}

/** Thrown when no agent of the ref's name is held (among the trusted authors, when given). */
export class AgentNotFoundError extends Error {
  static { nameError(this, 'AgentNotFoundError') }
  readonly agentName: string

  constructor (agentName: string, message: string) {
    super(message)
    this.agentName = agentName
  }
}

/** Thrown when the agent named is held, but none of its versions satisfies the ref; `available` lists the versions held, newest first. */
export class NoMatchingAgentVersionError extends Error {
  static { nameError(this, 'NoMatchingAgentVersionError') }
  readonly ref: string
  readonly available: readonly string[]

  constructor (ref: string, available: readonly string[]) {
    super(`no version of ${ref} is held; held: ${available.length === 0 ? '(none)' : available.join(', ')}`)
    this.ref = ref
    this.available = available
  }
}

/**
 * Thrown when a ref names an agent that several authors publish and the
 * caller neither preferred one nor narrowed them to one by trust: the name
 * alone does not say which agent is meant. `authors` lists their PeerIds.
 */
export class AmbiguousAgentNameError extends Error {
  static { nameError(this, 'AmbiguousAgentNameError') }
  readonly agentName: string
  readonly authors: readonly string[]

  constructor (agentName: string, authors: readonly string[]) {
    super(`agent name ${agentName} is published by ${authors.length} authors (${authors.join(', ')}); name the author to use`)
    this.agentName = agentName
    this.authors = authors
  }
}

/** Thrown when registry limits are not positive safe integers. */
export class InvalidAgentRegistryOptionsError extends RangeError {
  static { nameError(this, 'InvalidAgentRegistryOptionsError') }
}
