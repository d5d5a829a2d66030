import { bytesToBase64Url, sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { signAgentManifest } from '../../../../src/discovery/agent-manifest/index.ts'
import type { AgentManifest, AgentManifestFields } from '../../../../src/discovery/agent-manifest/index.ts'

/** 2026-01-01T00:00:00Z. */
export const PUBLISHED_AT = 1_767_225_600_000

/** Stand-ins for the package's modules: what matters is that their hashes and sizes are the manifest's. */
export const ENTRY_BYTES = utf8ToBytes('\0asm(sentiment entry module)')
export const DATA_BYTES = utf8ToBytes('lexicon: good +1, bad -1')

export async function identity (n: number): Promise<PeerIdentity> {
  return createIdentity(Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + n * 13 + 1) & 0xff))
}

export function manifestFields (author: PeerIdentity, overrides: Partial<AgentManifestFields> = {}): AgentManifestFields {
  return {
    name: 'sentiment',
    version: '1.2.0',
    description: 'Scores English text from -1 to 1, one line at a time.',
    author: author.peerId.toString(),
    publicKey: bytesToBase64Url(author.publicKey),
    licence: 'Apache-2.0 OR MIT',
    homepage: 'https://example.org/sentiment',
    skills: [{
      id: 'sentiment',
      name: 'Sentiment analysis',
      description: 'Reads lines of text, writes one score per line.',
      tags: ['nlp', 'text'],
      examples: ['Is this review positive?'],
      inputModes: ['text/plain'],
      outputModes: ['application/json']
    }],
    modules: [
      { name: 'sentiment.wasm', sha256: sha256Hex(ENTRY_BYTES), size: ENTRY_BYTES.length, entry: true },
      { name: 'lexicon.bin', sha256: sha256Hex(DATA_BYTES), size: DATA_BYTES.length }
    ],
    defaults: { args: ['--lines'], timeoutMs: 10_000, memoryLimitBytes: 32 * 1024 * 1024, fuel: 1_000_000_000 },
    priceHints: { perMegaFuel: 2, perSecond: 100, perMb: 1 },
    examples: [
      { name: 'positive', stdin: { text: 'good day' }, expectedStdout: { text: '{"score":1}\n' } },
      { name: 'bytes', args: ['--raw'], stdin: { base64url: bytesToBase64Url(utf8ToBytes('bad')) } }
    ],
    publishedAt: PUBLISHED_AT,
    ...overrides
  }
}

export async function signed (author: PeerIdentity, overrides: Partial<AgentManifestFields> = {}): Promise<AgentManifest> {
  return signAgentManifest(manifestFields(author, overrides), author)
}
