/**
 * Fixed values of the agent manifest format (docs/agent-manifest.md): its
 * `kind`, topic, limits on every field, and the registry's defaults, in one place.
 */

/**
 * Tag of every agent manifest. It is inside the signed bytes, so a manifest
 * signature can never be replayed as a card, a receipt or a bid (domain separation).
 */
export const AGENT_MANIFEST_KIND = 'zerostate/agent-manifest/1'

/** Gossipsub topic on which signed manifests are published (the transport is not part of this module). */
export const AGENT_MANIFEST_TOPIC = '/zerostate/agent-manifest/1.0.0'

/**
 * Upper bound on the UTF-8 length of a manifest's RFC 8785 canonical form,
 * signature included: room for eight skills and eight test examples, well
 * under gossipsub's 1 MiB message cap, small enough to verify many at once.
 */
export const MAX_AGENT_MANIFEST_BYTES = 32 * 1024

/** How far ahead of the verifier's clock `publishedAt` may be (clock differences between an author and a verifier). */
export const MAX_AGENT_MANIFEST_CLOCK_SKEW_MS = 60_000

/** `name`: 1 to this many characters of [a-z0-9-], first [a-z0-9]. */
export const MAX_AGENT_NAME_LENGTH = 64
/** `version`: at most this many characters of SemVer 2.0.0. */
export const MAX_VERSION_LENGTH = 64
export const MAX_MANIFEST_DESCRIPTION_BYTES = 1024
/** `licence`: an SPDX license expression of at most this many characters. */
export const MAX_LICENCE_LENGTH = 128
export const MAX_HOMEPAGE_LENGTH = 256

/** `skills`: 1 to this many (as many as an Agent Card carries). */
export const MAX_MANIFEST_SKILLS = 8
export const MAX_MANIFEST_SKILL_NAME_BYTES = 64
export const MAX_MANIFEST_SKILL_DESCRIPTION_BYTES = 512
/** A2A `examples` of one skill: at most this many, each 1 to MAX_SKILL_EXAMPLE_BYTES. */
export const MAX_SKILL_EXAMPLES = 8
export const MAX_SKILL_EXAMPLE_BYTES = 256
/** A2A `inputModes` / `outputModes` of one skill: at most this many media types, each at most MAX_MEDIA_TYPE_LENGTH characters. */
export const MAX_SKILL_MODES = 8
export const MAX_MEDIA_TYPE_LENGTH = 127

/** `modules`: 1 to this many. */
export const MAX_MANIFEST_MODULES = 8
/** A module's `name`: 1 to this many characters of [A-Za-z0-9._-], not starting with a dot. */
export const MAX_MODULE_NAME_LENGTH = 64

/** `examples` (the package's tests, run by `agent test`): at most this many. */
export const MAX_MANIFEST_EXAMPLES = 8
export const MAX_EXAMPLE_NAME_BYTES = 64
/** Bytes of one example's `stdin`, and separately of its `expectedStdout`, once decoded. */
export const MAX_EXAMPLE_IO_BYTES = 4 * 1024

/** Registry defaults: agents held, and versions kept per agent. */
export const DEFAULT_MAX_AGENTS = 1024
export const DEFAULT_MAX_VERSIONS_PER_AGENT = 8

/** Characters of the author's PeerId (its end: every Ed25519 PeerId starts `12D3KooW`) shown beside an ambiguous name. */
export const AUTHOR_TAG_LENGTH = 8
