import { beforeAll, describe, expect, it } from 'vitest'
import { utf8ToBytes } from '../../../../src/core/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import {
  AGENT_MANIFEST_KIND, MAX_AGENT_MANIFEST_CLOCK_SKEW_MS, agentManifestHash, checkModuleBytes, checkModuleBytesAsync, entryModule,
  exampleBytes, isSpdxExpression, parseAgentManifest, signAgentManifest, verifyAgentManifest
} from '../../../../src/discovery/agent-manifest/index.ts'
import type { AgentManifest } from '../../../../src/discovery/agent-manifest/index.ts'
import { rejection, thrown } from '../../../support/rejection.ts'
import { DATA_BYTES, ENTRY_BYTES, PUBLISHED_AT, identity, manifestFields, signed } from './fixtures.ts'

const NOW = PUBLISHED_AT + 1000

let alice: PeerIdentity
let mallory: PeerIdentity
let manifest: AgentManifest

beforeAll(async () => {
  [alice, mallory] = await Promise.all([identity(1), identity(2)])
  manifest = await signed(alice)
})

describe('signing and verifying', () => {
  it('signs, fills in the kind, and verifies after a JSON round trip', () => {
    expect(manifest.kind).toBe(AGENT_MANIFEST_KIND)
    const checked = verifyAgentManifest(JSON.parse(JSON.stringify(manifest)), { now: NOW })
    expect(checked).toEqual(manifest)
    expect(entryModule(checked).name).toBe('sentiment.wasm')
    expect(agentManifestHash(checked)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses a manifest altered after signing', () => {
    const tampered = [
      { ...manifest, version: '1.2.1' },
      { ...manifest, modules: [{ ...manifest.modules[0]!, sha256: '0'.repeat(64) }, manifest.modules[1]!] },
      { ...manifest, priceHints: { perMegaFuel: 0, perSecond: 0, perMb: 0 } },
      { ...manifest, defaults: {} },
      { ...manifest, homepage: null }
    ].map(value => JSON.parse(JSON.stringify(value)) as unknown)
    for (const value of tampered) expect(thrown(() => verifyAgentManifest(value, { now: NOW })).name).toBe('AgentManifestSignatureError')
  })

  it('refuses a key that is not the author\'s, and signing as someone else', async () => {
    const other = await signed(mallory)
    expect(thrown(() => verifyAgentManifest({ ...manifest, publicKey: other.publicKey }, { now: NOW })).name).toBe('AgentManifestKeyMismatchError')
    // Mallory re-signs Alice's manifest naming Mallory's key but still Alice as author.
    expect(thrown(() => verifyAgentManifest({ ...other, author: manifest.author }, { now: NOW })).name).toBe('AgentManifestKeyMismatchError')
    expect((await rejection(signAgentManifest(manifestFields(alice), mallory))).name).toBe('AgentManifestKeyMismatchError')
  })

  it('refuses a manifest dated too far ahead', () => {
    const early = manifest.publishedAt - MAX_AGENT_MANIFEST_CLOCK_SKEW_MS - 1
    expect(thrown(() => verifyAgentManifest(manifest, { now: early })).name).toBe('AgentManifestNotYetValidError')
    expect(verifyAgentManifest(manifest, { now: early + 1 })).toEqual(manifest)
  })

  it('refuses an oversized manifest before reading it', () => {
    expect(thrown(() => parseAgentManifest({ ...manifest, description: 'x'.repeat(40_000) })).name).toBe('AgentManifestTooLargeError')
  })
})

describe('schema', () => {
  const cases: Array<[string, (m: Record<string, unknown>) => unknown, string]> = [
    ['kind', m => ({ ...m, kind: 'zerostate/agent-manifest/2' }), 'kind'],
    ['unknown member', m => ({ ...m, extra: 1 }), 'extra'],
    ['upper-case name', m => ({ ...m, name: 'Sentiment' }), 'name'],
    ['version', m => ({ ...m, version: '1.2' }), 'version'],
    ['licence', m => ({ ...m, licence: 'MIT OR' }), 'licence'],
    ['homepage', m => ({ ...m, homepage: 'http://example.org' }), 'homepage'],
    ['no skill', m => ({ ...m, skills: [] }), 'skills'],
    ['skill mode', m => ({ ...m, skills: [{ ...(m.skills as object[])[0], inputModes: ['Text/Plain'] }] }), 'skills[0].inputModes[0]'],
    ['skill member', m => ({ ...m, skills: [{ ...(m.skills as object[])[0], security: [] }] }), 'skills[0].security'],
    ['no entry', m => ({ ...m, modules: (m.modules as object[]).map(mod => ({ ...mod, entry: undefined })) }), 'modules'],
    ['two entries', m => ({ ...m, modules: (m.modules as object[]).map(mod => ({ ...mod, entry: true })) }), 'modules'],
    ['entry false', m => ({ ...m, modules: [(m.modules as object[])[0], { ...(m.modules as object[])[1], entry: false }] }), 'modules[1].entry'],
    ['same module twice', m => ({ ...m, modules: [(m.modules as object[])[0], { ...(m.modules as object[])[0], name: 'b', entry: undefined }] }), 'modules'],
    ['module name', m => ({ ...m, modules: [{ ...(m.modules as object[])[0], name: '../x' }] }), 'modules[0].name'],
    ['module size', m => ({ ...m, modules: [{ ...(m.modules as object[])[0], size: 0 }] }), 'modules[0].size'],
    ['timeout', m => ({ ...m, defaults: { timeoutMs: 5 * 60_000 + 1 } }), 'defaults.timeoutMs'],
    ['memory', m => ({ ...m, defaults: { memoryLimitBytes: 1024 } }), 'defaults.memoryLimitBytes'],
    ['args', m => ({ ...m, defaults: { args: Array.from({ length: 65 }, () => 'a') } }), 'defaults.args'],
    ['price', m => ({ ...m, priceHints: { perMegaFuel: -1, perSecond: 0, perMb: 0 } }), 'priceHints.perMegaFuel'],
    ['example stdin', m => ({ ...m, examples: [{ name: 'x', stdin: { base64: 'AA' } }] }), 'examples[0].stdin'],
    ['example base64url', m => ({ ...m, examples: [{ name: 'x', stdin: { base64url: 'AA==' } }] }), 'examples[0].stdin.base64url'],
    ['example names', m => ({ ...m, examples: [{ name: 'x', stdin: { text: '' } }, { name: 'x', stdin: { text: '' } }] }), 'examples[1]']
  ]
  it.each(cases)('names the field: %s', (_, change, field) => {
    const value = JSON.parse(JSON.stringify(change(manifest as unknown as Record<string, unknown>))) as unknown
    expect(thrown(() => parseAgentManifest(value))).toEqual({ name: 'InvalidAgentManifestError', field })
  })

  it('accepts a minimal manifest', async () => {
    const minimal = await signAgentManifest({
      ...manifestFields(alice), homepage: undefined, defaults: undefined, priceHints: undefined, examples: undefined,
      skills: [{ id: 'x', name: 'X', description: 'x', tags: [] }],
      modules: [{ ...manifest.modules[0]!, entry: true }]
    }, alice)
    expect(minimal).toMatchObject({ homepage: null, defaults: {}, priceHints: null, examples: [] })
    expect(verifyAgentManifest(JSON.parse(JSON.stringify(minimal)), { now: NOW })).toEqual(minimal)
    // On the wire every top-level member is present.
    const { homepage, ...withoutHomepage } = minimal
    expect(homepage).toBeNull()
    expect(thrown(() => parseAgentManifest(withoutHomepage))).toEqual({ name: 'InvalidAgentManifestError', field: 'homepage' })
  })

  it('checks SPDX expression syntax', () => {
    for (const good of ['MIT', 'Apache-2.0 OR MIT', 'GPL-2.0+', '(MIT AND BSD-3-Clause) OR Apache-2.0', 'GPL-2.0-only WITH Classpath-exception-2.0', 'LicenseRef-mine', 'DocumentRef-a:LicenseRef-b']) {
      expect(isSpdxExpression(good), good).toBe(true)
    }
    for (const bad of ['', 'MIT OR', 'OR MIT', 'MIT  OR Apache-2.0', ' MIT', '(MIT', 'MIT)', 'MIT WITH', 'MIT/Apache', 'MIT AND OR X', 'a:b']) {
      expect(isSpdxExpression(bad), bad).toBe(false)
    }
  })

  it('decodes example bytes', () => {
    expect(exampleBytes(manifest.examples![1]!.stdin)).toEqual(utf8ToBytes('bad'))
    expect(exampleBytes(manifest.examples![0]!.stdin)).toEqual(utf8ToBytes('good day'))
  })
})

describe('module bytes', () => {
  it('accepts bytes of the stated size and hash', async () => {
    expect(checkModuleBytes(manifest, 'sentiment.wasm', ENTRY_BYTES).entry).toBe(true)
    expect((await checkModuleBytesAsync(manifest, 'lexicon.bin', DATA_BYTES)).name).toBe('lexicon.bin')
  })

  it('refuses bytes whose size or hash does not match', async () => {
    const sameSize = ENTRY_BYTES.slice()
    sameSize[0] = sameSize[0]! ^ 1
    expect(thrown(() => checkModuleBytes(manifest, 'sentiment.wasm', sameSize)).name).toBe('ManifestModuleMismatchError')
    expect(thrown(() => checkModuleBytes(manifest, 'sentiment.wasm', DATA_BYTES)).name).toBe('ManifestModuleMismatchError')
    expect((await rejection(checkModuleBytesAsync(manifest, 'sentiment.wasm', sameSize))).name).toBe('ManifestModuleMismatchError')
    expect(thrown(() => checkModuleBytes(manifest, 'missing.wasm', ENTRY_BYTES)).name).toBe('RangeError')
  })
})

describe('the example in docs/agent-manifest.md', () => {
  it('verifies, and signing its fields with the documented key reproduces it', async () => {
    const { readFile } = await import('node:fs/promises')
    const text = await readFile(new URL('../../../../docs/agent-manifest.md', import.meta.url), 'utf8')
    const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(text)![1]!) as AgentManifest
    expect(verifyAgentManifest(example, { now: PUBLISHED_AT })).toEqual(example)
    const { createIdentity } = await import('../../../../src/crypto/index.ts')
    const key = await createIdentity(Uint8Array.from({ length: 32 }, (_, i) => i + 1))
    const { signature, ...fields } = example
    expect((await signAgentManifest(fields, key)).signature).toBe(signature)
    expect(checkModuleBytes(example, 'sentiment.wasm', utf8ToBytes('\0asm(sentiment entry module)')).size).toBe(28)
  })
})
