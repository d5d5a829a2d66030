/**
 * Keys and signatures: pure Ed25519 (RFC 8032) and the peer identity that
 * ties one Ed25519 key to a libp2p PeerId.
 */
export { ED25519_PUBLIC_KEY_LENGTH, ED25519_SEED_LENGTH, ED25519_SIGNATURE_LENGTH, ed25519PublicKey, ed25519Sign, ed25519Verify } from './ed25519.ts'
export { createIdentity, loadOrCreateIdentity, peerIdOfPublicKey, publicKeyMatchesPeerId } from './identity.ts'
export type { PeerIdentity } from './identity.ts'
