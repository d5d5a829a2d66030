/**
 * Ed25519 through the platform's WebCrypto (Web Cryptography API, "Ed25519"
 * algorithm of the Secure Curves extension; Chromium 137+, Node 18.4+):
 * natively computed, where noble's pure-JavaScript big-integer arithmetic
 * costs about a millisecond to sign and several to verify on the thread that
 * runs everything else — every task's receipt is signed by its executor and
 * verified by its submitter on their main threads.
 *
 * Only the way of computing differs: pure Ed25519 signatures are
 * deterministic (RFC 8032 §5.1.6), so a signature made here is byte for byte
 * the one noble makes, and ed25519.ts only ever trusts a "valid" from here
 * where noble's strict verification must say the same (see ed25519VerifyAsync).
 *
 * Where the platform has no Ed25519 (an older browser; an insecure context,
 * which has no `crypto.subtle` at all), every function answers undefined and
 * the caller uses noble.
 */

/** RFC 8410 §7: a PKCS #8 OneAsymmetricKey for id-Ed25519 (1.3.101.112) holding the 32-byte seed that follows. */
const PKCS8_ED25519_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20)

/** Verification keys kept imported, by public key: a mesh's peers are few, and each imports once. */
const VERIFYING_KEYS_LIMIT = 256

const ALGORITHM = 'Ed25519'

/** False once the platform has shown it has no Ed25519 (or no WebCrypto): nothing is tried again. */
let available = globalThis.crypto?.subtle !== undefined
const signingKeys = new WeakMap<Uint8Array, Promise<CryptoKey | undefined>>()
const verifyingKeys = new Map<string, Promise<CryptoKey | undefined>>()

/** A copy in a fresh ArrayBuffer: what WebCrypto takes (never a view of shared memory). */
function own (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes)
}

async function imported (load: () => Promise<CryptoKey>): Promise<CryptoKey | undefined> {
  try {
    return await load()
  } catch {
    // NotSupportedError: this platform's WebCrypto has no Ed25519. Noble it is, from now on.
    available = false
    return undefined
  }
}

function signingKey (seed: Uint8Array): Promise<CryptoKey | undefined> {
  let key = signingKeys.get(seed)
  if (key === undefined) {
    const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + seed.length)
    pkcs8.set(PKCS8_ED25519_PREFIX, 0)
    pkcs8.set(seed, PKCS8_ED25519_PREFIX.length)
    key = imported(async () => crypto.subtle.importKey('pkcs8', pkcs8, ALGORITHM, false, ['sign']))
    signingKeys.set(seed, key)
  }
  return key
}

function verifyingKey (publicKey: Uint8Array): Promise<CryptoKey | undefined> {
  const id = String.fromCharCode(...publicKey)
  let key = verifyingKeys.get(id)
  if (key === undefined) {
    key = imported(async () => crypto.subtle.importKey('raw', own(publicKey), ALGORITHM, false, ['verify']))
    verifyingKeys.set(id, key)
    if (verifyingKeys.size > VERIFYING_KEYS_LIMIT) verifyingKeys.delete(verifyingKeys.keys().next().value as string)
  }
  return key
}

/** The RFC 8032 signature of `message` by the 32-byte `seed`, or undefined where WebCrypto cannot make it. */
export async function webCryptoSign (message: Uint8Array, seed: Uint8Array): Promise<Uint8Array | undefined> {
  if (!available) return undefined
  const key = await signingKey(seed)
  if (key === undefined) return undefined
  try {
    return new Uint8Array(await crypto.subtle.sign(ALGORITHM, key, own(message)))
  } catch {
    return undefined
  }
}

/**
 * WebCrypto's verdict on `signature` (RFC 8032 §5.1.7 as the platform's
 * BoringSSL or OpenSSL implements it: S < L, and the recomputed R compared
 * with R's bytes), or undefined where WebCrypto cannot give one.
 */
export async function webCryptoVerify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean | undefined> {
  if (!available) return undefined
  const key = await verifyingKey(publicKey)
  if (key === undefined) return undefined
  try {
    return await crypto.subtle.verify(ALGORITHM, key, own(signature), own(message))
  } catch {
    return undefined
  }
}
