import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../src/core/index.ts'
import { createIdentity, ed25519Verify, loadOrCreateIdentity, peerIdOfPublicKey, publicKeyMatchesPeerId } from '../../../src/crypto/index.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'

const SEED = hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60') // RFC 8032 §7.1 TEST 1

describe('createIdentity', () => {
  it('derives the RFC 8032 public key and a 12D3KooW PeerId embedding it', async () => {
    const id = await createIdentity(SEED)
    expect(bytesToHex(id.publicKey)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
    const peerId = id.peerId.toString()
    expect(peerId).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/)
    expect(peerIdFromString(peerId).publicKey?.raw).toEqual(id.publicKey)
    expect(id.privateKey.publicKey.raw).toEqual(id.publicKey)
  })

  it('is deterministic in the seed and copies it', async () => {
    const seed = SEED.slice()
    const a = await createIdentity(seed)
    seed.fill(0)
    const b = await createIdentity(SEED)
    expect(a.peerId.equals(b.peerId)).toBe(true)
    expect(a.seed).toEqual(SEED)
  })

  it('makes a fresh random identity without a seed', async () => {
    const a = await createIdentity()
    const b = await createIdentity()
    expect(a.seed).toHaveLength(32)
    expect(a.peerId.equals(b.peerId)).toBe(false)
  })

  it('noble and libp2p hold the same key: each verifies the other\'s signatures', async () => {
    const id = await createIdentity()
    const message = new TextEncoder().encode('one key, two libraries')
    const byNoble = await id.sign(message)
    const byLibp2p = await id.privateKey.sign(message)
    // Ed25519 signing is deterministic (RFC 8032 §5.1.6), so the bytes are identical.
    expect(bytesToHex(byLibp2p)).toBe(bytesToHex(byNoble))
    expect(await id.privateKey.publicKey.verify(message, byNoble)).toBe(true)
    expect(await publicKeyFromRaw(id.publicKey).verify(message, byNoble)).toBe(true)
    expect(ed25519Verify(byLibp2p, message, id.publicKey)).toBe(true)
  })

  it('rejects a seed of the wrong type or length', async () => {
    await expect(createIdentity(new Uint8Array(31))).rejects.toThrow(RangeError)
    await expect(createIdentity(new Uint8Array(64))).rejects.toThrow(RangeError)
    await expect(createIdentity('seed' as unknown as Uint8Array)).rejects.toThrow(TypeError)
  })
})

describe('loadOrCreateIdentity', () => {
  it('creates and saves an identity once, then loads the same one', async () => {
    const store = createMemoryStore()
    expect(await store.loadIdentitySeed()).toBeUndefined()
    const first = await loadOrCreateIdentity(store)
    expect(await store.loadIdentitySeed()).toEqual(first.seed)
    const second = await loadOrCreateIdentity(store)
    expect(second.peerId.equals(first.peerId)).toBe(true)
  })

  it('uses a seed already in the store', async () => {
    const store = createMemoryStore()
    await store.saveIdentitySeed(SEED)
    const id = await loadOrCreateIdentity(store)
    expect(id.peerId.toString()).toBe((await createIdentity(SEED)).peerId.toString())
  })
})

describe('publicKeyMatchesPeerId', () => {
  it('matches a key to its own PeerId only', async () => {
    const a = await createIdentity()
    const b = await createIdentity()
    expect(publicKeyMatchesPeerId(a.publicKey, a.peerId.toString())).toBe(true)
    expect(peerIdOfPublicKey(a.publicKey)).toBe(a.peerId.toString())
    expect(publicKeyMatchesPeerId(a.publicKey, b.peerId.toString())).toBe(false)
    expect(publicKeyMatchesPeerId(b.publicKey, a.peerId.toString())).toBe(false)
  })

  it('is false for malformed PeerIds, other spellings and wrong key lengths', async () => {
    const a = await createIdentity()
    expect(publicKeyMatchesPeerId(a.publicKey, '')).toBe(false)
    expect(publicKeyMatchesPeerId(a.publicKey, 'not a peer id')).toBe(false)
    expect(publicKeyMatchesPeerId(a.publicKey, a.peerId.toCID().toString())).toBe(false)
    expect(publicKeyMatchesPeerId(a.publicKey.subarray(0, 31), a.peerId.toString())).toBe(false)
    expect(publicKeyMatchesPeerId(new Uint8Array(32).fill(0xff), a.peerId.toString())).toBe(false) // not a curve point
    expect(() => publicKeyMatchesPeerId('key' as unknown as Uint8Array, a.peerId.toString())).toThrow(TypeError)
  })
})
