/** The agent manifest format's types (docs/agent-manifest.md). */
import type { PriceSchedule } from '../../receipts/pricing/index.ts'
import type { AGENT_MANIFEST_KIND } from './constants.ts'

/**
 * One thing the agent does: A2A protocol 1.0's AgentSkill (specification
 * a2a.proto, package lf.a2a.v1), JSON member names as there, without
 * `securityRequirements` (a mesh task has no A2A security scheme to name).
 */
export interface ManifestSkill {
  /** 1–48 characters of [a-z0-9._-], first [a-z0-9]; unique within the manifest. */
  id: string
  /** 1–64 bytes of UTF-8. */
  name: string
  /** 1–512 bytes of UTF-8 (required, as in A2A). */
  description: string
  /** Up to 8 distinct tags of [a-z0-9-], as on Agent Cards (required, may be empty). */
  tags: string[]
  /** Up to 8 example prompts or scenarios, 1–256 bytes each. */
  examples?: string[]
  /** Up to 8 distinct media types the skill reads (`text/plain`, `image/png`). */
  inputModes?: string[]
  /** Up to 8 distinct media types the skill writes. */
  outputModes?: string[]
}

/** One WebAssembly module of the package, named by its content. */
export interface ManifestModule {
  /** 1–64 characters of [A-Za-z0-9._-], not starting with a dot; unique within the manifest. */
  name: string
  /** Lowercase hex SHA-256 of the module's bytes: what peers fetch it by. */
  sha256: string
  /** Its length in bytes, 1 to MAX_MODULE_BYTES. */
  size: number
  /** Present, and `true`, on exactly one module: the one a task runs. */
  entry?: true
}

/** What a task of this agent gets unless its submitter says otherwise; each within the task protocol's limits (core/limits.ts). */
export interface ManifestDefaults {
  args?: string[]
  timeoutMs?: number
  memoryLimitBytes?: number
  fuel?: number
}

/** Bytes given either as text (UTF-8) or as unpadded base64url. */
export type ExampleBytes = { text: string } | { base64url: string }

/** A test of the package: run the entry module with `args` and `stdin`, and compare stdout when `expectedStdout` is given. */
export interface ManifestExample {
  /** 1–64 bytes of UTF-8; unique within the manifest. */
  name: string
  args?: string[]
  stdin: ExampleBytes
  expectedStdout?: ExampleBytes
}

/** Every field of a manifest except its signature: exactly what is signed. */
export interface UnsignedAgentManifest {
  kind: typeof AGENT_MANIFEST_KIND
  name: string
  /** SemVer 2.0.0. */
  version: string
  description: string
  /** PeerId (base58btc) of the author, who signs the manifest. Identity of the agent = (author, name). */
  author: string
  /** The raw 32-byte Ed25519 key inside `author`, unpadded base64url. */
  publicKey: string
  /** An SPDX license expression (`MIT`, `Apache-2.0 OR MIT`). */
  licence: string
  /** An https URL, or null. */
  homepage: string | null
  skills: ManifestSkill[]
  modules: ManifestModule[]
  /** May be empty. */
  defaults: ManifestDefaults
  /** Price hints in micro-units, as Agent Card prices: a suggestion to executors, not a price; or null. */
  priceHints: PriceSchedule | null
  /** May be empty. */
  examples: ManifestExample[]
  /** Unix epoch ms when signed. */
  publishedAt: number
}

export interface AgentManifest extends UnsignedAgentManifest {
  /** Unpadded base64url of the 64-byte Ed25519 signature over the canonical unsigned manifest. */
  signature: string
}

/**
 * What signAgentManifest takes: the kind may be left out, and so may the
 * members that may be empty (`homepage` and `priceHints` become null,
 * `defaults` {}, `examples` []). On the wire every top-level member is
 * present: the signed bytes have one spelling for "none".
 */
export type AgentManifestFields = Omit<UnsignedAgentManifest, 'kind' | 'homepage' | 'defaults' | 'priceHints' | 'examples'> & {
  kind?: typeof AGENT_MANIFEST_KIND
  homepage?: string | null
  defaults?: ManifestDefaults
  priceHints?: PriceSchedule | null
  examples?: ManifestExample[]
}
