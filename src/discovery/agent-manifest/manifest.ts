/**
 * Agent manifests (normative text: docs/agent-manifest.md): an agent is a
 * signed package — this manifest, plus its WebAssembly modules, which it
 * names by SHA-256 and size. Signed as every other signed format is, through
 * crypto/signed-document.ts: pure Ed25519 (RFC 8032 §5.1.6) over the UTF-8
 * of the RFC 8785 canonical JSON of every field but `signature`, with
 * `publicKey` bound to the `author` PeerId.
 *
 * @example
 * const manifest = await signAgentManifest(fields, identity)
 * // …published on AGENT_MANIFEST_TOPIC, received, possibly relayed by a peer other than the author…
 * const checked = verifyAgentManifest(JSON.parse(text), { now: Date.now() })
 * const entry = checkModuleBytes(checked, entryModule(checked).name, bytes)   // before running them
 */
import { canonicalize, sha256Hex, sha256HexAsync, utf8ToBytes } from '../../core/index.ts'
import { parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument } from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { AGENT_MANIFEST_KIND, MAX_AGENT_MANIFEST_BYTES, MAX_AGENT_MANIFEST_CLOCK_SKEW_MS } from './constants.ts'
import {
  AgentManifestKeyMismatchError, AgentManifestNotYetValidError, AgentManifestSignatureError, AgentManifestTooLargeError,
  InvalidAgentManifestError, ManifestModuleMismatchError
} from './errors.ts'
import { UNSIGNED_MANIFEST_FIELDS, readManifest } from './manifest-schema.ts'
import type { AgentManifest, AgentManifestFields, ManifestModule } from './types.ts'

export interface VerifyAgentManifestOptions {
  /** The verifier's clock, Unix epoch milliseconds. */
  now: number
}

const AGENT_MANIFEST = signedDocumentFormat<AgentManifest>({
  name: 'agent manifest',
  signedFields: UNSIGNED_MANIFEST_FIELDS,
  signerField: 'author',
  maxBytes: MAX_AGENT_MANIFEST_BYTES,
  schema: value => readManifest(value, 'signed'),
  dateField: 'publishedAt',
  maxClockSkewMs: MAX_AGENT_MANIFEST_CLOCK_SKEW_MS,
  errors: {
    tooLarge: AgentManifestTooLargeError, keyMismatch: AgentManifestKeyMismatchError, signature: AgentManifestSignatureError,
    notYetValid: AgentManifestNotYetValidError
  }
})

/** Checks the size limit, then the schema; returns a copy holding exactly the manifest's fields. Does not check the signature. */
export function parseAgentManifest (value: unknown): AgentManifest {
  return parseSignedDocument(value, AGENT_MANIFEST)
}

/** Signs a manifest as `identity`, which must be the `author` and own the `publicKey`. The kind may be left out. */
export async function signAgentManifest (fields: AgentManifestFields, identity: PeerIdentity): Promise<AgentManifest> {
  if (typeof fields !== 'object' || fields === null) throw new InvalidAgentManifestError('(root)', 'must be a JSON object')
  const unsigned = readManifest({
    ...fields,
    kind: fields.kind ?? AGENT_MANIFEST_KIND,
    homepage: fields.homepage ?? null,
    defaults: fields.defaults ?? {},
    priceHints: fields.priceHints ?? null,
    examples: fields.examples ?? []
  }, 'unsigned')
  return signDocument(unsigned, identity, AGENT_MANIFEST)
}

/**
 * Checks, in this order: the size and the schema; that `publicKey` is the key
 * inside `author`; the signature; that `publishedAt` is not further ahead of
 * `now` than MAX_AGENT_MANIFEST_CLOCK_SKEW_MS. Returns the checked copy.
 * There is no sender check: a manifest is fetched from whichever peer holds
 * it, and the author's signature is what makes it authentic.
 */
export function verifyAgentManifest (value: unknown, { now }: VerifyAgentManifestOptions): AgentManifest {
  return verifyDocument(value, AGENT_MANIFEST, { now })
}

/**
 * SHA-256 of the manifest's canonical form, signature included: the id under
 * which it is stored and fetched, and what tells two manifests of one version apart.
 */
export function agentManifestHash (manifest: AgentManifest): string {
  return sha256Hex(utf8ToBytes(canonicalize(manifest)))
}

/** The module a task runs: the one marked `entry: true` (the schema ensures there is exactly one). */
export function entryModule (manifest: AgentManifest): ManifestModule {
  return manifest.modules.find(module => module.entry === true)!
}

/**
 * Checks that `bytes` are the module the manifest calls `name`: the size
 * first (no hashing of 16 MiB that cannot match), then the SHA-256. Throws
 * ManifestModuleMismatchError; a RangeError when the manifest has no module
 * of that name (the caller's mistake). Hashes on the calling thread; see
 * checkModuleBytesAsync for large modules on a page's main thread.
 */
export function checkModuleBytes (manifest: AgentManifest, name: string, bytes: Uint8Array): ManifestModule {
  const module = moduleSizeMatches(manifest, name, bytes)
  hashMatches(manifest, module, sha256Hex(bytes))
  return module
}

/** As checkModuleBytes, hashing through Web Crypto, off the calling thread. */
export async function checkModuleBytesAsync (manifest: AgentManifest, name: string, bytes: Uint8Array): Promise<ManifestModule> {
  const module = moduleSizeMatches(manifest, name, bytes)
  hashMatches(manifest, module, await sha256HexAsync(bytes))
  return module
}

function moduleSizeMatches (manifest: AgentManifest, name: string, bytes: Uint8Array): ManifestModule {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array')
  const module = manifest.modules.find(candidate => candidate.name === name)
  if (module === undefined) throw new RangeError(`agent ${manifest.name}@${manifest.version} has no module ${JSON.stringify(name)}`)
  if (bytes.length !== module.size) {
    throw new ManifestModuleMismatchError(name, `module ${name} of ${manifest.name}@${manifest.version} is ${bytes.length} bytes, the manifest says ${module.size}`)
  }
  return module
}

function hashMatches (manifest: AgentManifest, module: ManifestModule, actual: string): void {
  if (actual !== module.sha256) {
    throw new ManifestModuleMismatchError(module.name, `module ${module.name} of ${manifest.name}@${manifest.version} hashes to ${actual}, the manifest says ${module.sha256}`)
  }
}
