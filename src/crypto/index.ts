/**
 * Keys and signatures: pure Ed25519 (RFC 8032), the peer identity that
 * ties one Ed25519 key to a libp2p PeerId, the signed-JSON recipe (RFC 8785
 * canonical JSON bound to a PeerId), the signed-document wrapper that every
 * signed format (receipts, Agent Cards, attestations, reports, bids, bid
 * requests) signs, parses and verifies through, and the field checks of
 * their schemas.
 */
export { ED25519_PUBLIC_KEY_LENGTH, ED25519_SEED_LENGTH, ED25519_SIGNATURE_LENGTH, ed25519PublicKey, ed25519Sign, ed25519SignAsync, ed25519Verify, ed25519VerifyAsync } from './ed25519.ts'
export { createIdentity, isCanonicalEd25519PeerId, loadOrCreateIdentity, peerIdOfPublicKey, publicKeyMatchesPeerId } from './identity.ts'
export type { IdentitySeedStore, PeerIdentity } from './identity.ts'
export { canonicalSigningBytes, canonicalSize, peerSignatureFault, peerSignatureFaultAsync, signCanonicalBytes, signerMismatch } from './signed-json.ts'
export type { PeerSignatureClaim, PeerSignatureFault } from './signed-json.ts'
export { parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument, verifyDocumentAsync } from './signed-document.ts'
export type { DocumentErrorClass, SignedDocumentErrors, SignedDocumentFormat, SignedDocumentSpec, VerifyDocumentOptions } from './signed-document.ts'
export { fieldCheckers } from './json-fields.ts'
export type { FieldCheckers, FieldFailure } from './json-fields.ts'
