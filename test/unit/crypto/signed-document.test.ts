import { describe, expect, it } from 'vitest'
import { base64UrlToBytes, bytesToBase64Url, canonicalize, utf8ToBytes } from '../../../src/core/index.ts'
import {
  ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, createIdentity, ed25519Verify, fieldCheckers, parseSignedDocument,
  signDocument, signedDocumentFormat, verifyDocument
} from '../../../src/crypto/index.ts'
import type { PeerIdentity, SignedDocumentSpec } from '../../../src/crypto/index.ts'
import { rejection, thrown } from '../../support/rejection.ts'

// A small format of its own, with its own error classes, as each real format has.
class InvalidNoteError extends Error {
  override name = 'InvalidNoteError'
  readonly field: string
  constructor (field: string, message: string) {
    super(`note field ${field}: ${message}`)
    this.field = field
  }
}
class NoteTooLargeError extends Error { override name = 'NoteTooLargeError' }
class NoteKeyMismatchError extends Error { override name = 'NoteKeyMismatchError' }
class NoteSignatureError extends Error { override name = 'NoteSignatureError' }
class NoteSenderMismatchError extends Error { override name = 'NoteSenderMismatchError' }
class NoteNotYetValidError extends Error { override name = 'NoteNotYetValidError' }

interface Note {
  author: string
  publicKey: string
  text: string
  at: number
  signature: string
}

const NOTE_FIELDS = ['author', 'publicKey', 'text', 'at'] as const
const MAX_NOTE_BYTES = 512
const MAX_SKEW_MS = 60_000
const NOW = 1767225600000

const check = fieldCheckers((field, message) => new InvalidNoteError(field, message), 'a note')

function readNote (value: unknown): Note {
  const record = check.jsonObject(value, 'note')
  check.exactMembers(record, [...NOTE_FIELDS, 'signature'], '')
  return {
    author: check.peerId(record.author, 'author'),
    publicKey: check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH),
    text: check.text(record.text, 'text', 0, 1000),
    at: check.safeInteger(record.at, 'at', 0),
    signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH)
  }
}

const SPEC: SignedDocumentSpec<Note> = {
  name: 'note',
  signedFields: NOTE_FIELDS,
  signerField: 'author',
  maxBytes: MAX_NOTE_BYTES,
  schema: readNote,
  dateField: 'at',
  maxClockSkewMs: MAX_SKEW_MS,
  errors: {
    tooLarge: NoteTooLargeError, keyMismatch: NoteKeyMismatchError, signature: NoteSignatureError,
    sender: NoteSenderMismatchError, notYetValid: NoteNotYetValidError
  }
}
const NOTE = signedDocumentFormat(SPEC)

async function identity (n: number): Promise<PeerIdentity> {
  return createIdentity(Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + n * 29 + 3) & 0xff))
}

const id = (peer: PeerIdentity): string => peer.peerId.toString()
const key = (peer: PeerIdentity): string => bytesToBase64Url(peer.publicKey)

function unsignedBy (peer: PeerIdentity, change: Partial<Note> = {}): Omit<Note, 'signature'> {
  return { author: id(peer), publicKey: key(peer), text: 'hello', at: NOW, ...change }
}

/** `unsigned` with a signature by `signer` over its canonical JSON, whoever it names: a forgery the signer fields cannot stop. */
async function signedAnyway (unsigned: Omit<Note, 'signature'>, signer: PeerIdentity): Promise<Note> {
  return { ...unsigned, signature: bytesToBase64Url(await signer.sign(utf8ToBytes(canonicalize(unsigned)))) }
}

const nameOf = (fn: () => unknown): string => thrown(fn).name

describe('signDocument / verifyDocument', () => {
  it('round trip: the signature is Ed25519 over the RFC 8785 canonical JSON of every field but the signature', async () => {
    const a = await identity(1)
    const note = await signDocument(unsignedBy(a), a, NOTE)
    const { signature, ...unsigned } = note
    expect(ed25519Verify(base64UrlToBytes(signature), utf8ToBytes(canonicalize(unsigned)), a.publicKey)).toBe(true)
    const received = JSON.parse(JSON.stringify(note)) as unknown
    expect(verifyDocument(received, NOTE, { now: NOW, from: id(a) })).toEqual(note)
    expect(verifyDocument(received, NOTE, { now: NOW })).toEqual(note)
    expect(parseSignedDocument(received, NOTE)).toEqual(note)
  })

  it('is deterministic (RFC 8032 signatures are)', async () => {
    const a = await identity(1)
    expect(await signDocument(unsignedBy(a), a, NOTE)).toEqual(await signDocument(unsignedBy(a), a, NOTE))
  })

  it('a tampered field breaks the signature', async () => {
    const a = await identity(1)
    const note = await signDocument(unsignedBy(a), a, NOTE)
    expect(nameOf(() => verifyDocument({ ...note, text: 'hellO' }, NOTE, { now: NOW }))).toBe('NoteSignatureError')
    expect(nameOf(() => verifyDocument({ ...note, at: NOW - 1 }, NOTE, { now: NOW }))).toBe('NoteSignatureError')
  })

  it('a signature by the wrong key does not verify', async () => {
    const [a, b] = [await identity(1), await identity(2)]
    const forged = await signedAnyway(unsignedBy(a), b)
    expect(nameOf(() => verifyDocument(forged, NOTE, { now: NOW }))).toBe('NoteSignatureError')
  })

  it('refuses to sign as someone other than the signer fields name', async () => {
    const [a, b] = [await identity(1), await identity(2)]
    const wrongKey = await rejection(signDocument(unsignedBy(a, { author: id(b) }), b, NOTE))
    expect(wrongKey.name).toBe('NoteKeyMismatchError')
    expect(wrongKey.message).toBe('note publicKey is not the signing identity\'s key')
    const wrongPeer = await rejection(signDocument(unsignedBy(a, { publicKey: key(b) }), b, NOTE))
    expect(wrongPeer.name).toBe('NoteKeyMismatchError')
    expect(wrongPeer.message).toBe('note author is not the signing identity\'s PeerId')
  })

  it('rejects a sender that is not the signer, before the signature', async () => {
    const [a, b] = [await identity(1), await identity(2)]
    const note = await signDocument(unsignedBy(a), a, NOTE)
    expect(nameOf(() => verifyDocument(note, NOTE, { now: NOW, from: id(b) }))).toBe('NoteSenderMismatchError')
    expect(nameOf(() => verifyDocument({ ...note, text: 'x' }, NOTE, { now: NOW, from: id(b) }))).toBe('NoteSenderMismatchError')
  })

  it('rejects a key that is not the one inside the signer\'s PeerId, even under a good signature', async () => {
    const [a, b] = [await identity(1), await identity(2)]
    const borrowed = await signedAnyway(unsignedBy(a, { publicKey: key(b) }), b)
    const err = thrown(() => verifyDocument(borrowed, NOTE, { now: NOW, from: id(a) }))
    expect(err.name).toBe('NoteKeyMismatchError')
  })

  it('rejects a document dated too far ahead of the verifier\'s clock; the skew itself is allowed', async () => {
    const a = await identity(1)
    const note = await signDocument(unsignedBy(a), a, NOTE)
    expect(verifyDocument(note, NOTE, { now: NOW - MAX_SKEW_MS })).toEqual(note)
    expect(nameOf(() => verifyDocument(note, NOTE, { now: NOW - MAX_SKEW_MS - 1 }))).toBe('NoteNotYetValidError')
    // The past is no concern of the helper's: formats with an expiry check it themselves.
    expect(verifyDocument(note, NOTE, { now: NOW + 10 * MAX_SKEW_MS })).toEqual(note)
  })

  it('rejects a document too large in canonical form, before its schema; and never signs one', async () => {
    const a = await identity(1)
    const note = await signDocument(unsignedBy(a), a, NOTE)
    const huge = { ...note, text: 'x'.repeat(MAX_NOTE_BYTES), extra: true }
    expect(nameOf(() => parseSignedDocument(huge, NOTE))).toBe('NoteTooLargeError')
    expect(nameOf(() => verifyDocument(huge, NOTE, { now: NOW }))).toBe('NoteTooLargeError')
    expect(thrown(() => parseSignedDocument({ ...note, extra: true }, NOTE))).toEqual({ name: 'InvalidNoteError', field: 'extra' })
    expect((await rejection(signDocument(unsignedBy(a, { text: 'x'.repeat(MAX_NOTE_BYTES) }), a, NOTE))).name).toBe('NoteTooLargeError')
  })

  it('runs the format\'s check after the signature and before the clock, and returns what it returns', async () => {
    const a = await identity(1)
    const note = await signDocument(unsignedBy(a), a, NOTE)
    const seen: Note[] = []
    const length = (checked: Note): number => { seen.push(checked); return checked.text.length }
    expect(verifyDocument(note, NOTE, { now: NOW, check: length })).toBe(5)
    expect(seen).toEqual([note])
    expect(nameOf(() => verifyDocument({ ...note, text: 'forged' }, NOTE, { now: NOW, check: length }))).toBe('NoteSignatureError')
    expect(seen).toHaveLength(1)
    const refuse = (): never => { throw new RangeError('refused by the format') }
    expect(nameOf(() => verifyDocument(note, NOTE, { now: NOW - 10 * MAX_SKEW_MS, check: refuse }))).toBe('RangeError')
  })

  it('checks its inputs: a finite clock, a sender only where the format has a sender error', async () => {
    const a = await identity(1)
    const note = await signDocument(unsignedBy(a), a, NOTE)
    for (const now of [undefined, Number.NaN, Infinity]) {
      expect(() => verifyDocument(note, NOTE, { now })).toThrow(RangeError)
    }
    // The clock is checked before anything else.
    expect(() => verifyDocument('not a note', NOTE, { now: Number.NaN })).toThrow(RangeError)
    const undated = signedDocumentFormat<Note>({ ...SPEC, dateField: undefined, maxClockSkewMs: undefined, errors: { ...SPEC.errors, sender: undefined, notYetValid: undefined } })
    expect(verifyDocument(note, undated)).toEqual(note)
    expect(() => verifyDocument(note, undated, { now: Number.NaN })).toThrow(RangeError)
    expect(() => verifyDocument(note, undated, { from: id(a) })).toThrow(TypeError)
  })
})

describe('signedDocumentFormat', () => {
  it.each([
    ['signature among the signed fields', { signedFields: [...NOTE_FIELDS, 'signature'] }, TypeError],
    ['a signed field twice', { signedFields: [...NOTE_FIELDS, 'text'] }, TypeError],
    ['a signer field that is not signed', { signedFields: ['publicKey', 'text', 'at'] }, TypeError],
    ['a key field that is not signed', { signedFields: ['author', 'text', 'at'] }, TypeError],
    ['a date field that is not signed', { signedFields: ['author', 'publicKey', 'text'] }, TypeError],
    ['no name', { name: '' }, TypeError],
    ['a size limit of 0', { maxBytes: 0 }, RangeError],
    ['a fractional size limit', { maxBytes: 1.5 }, RangeError],
    ['a negative skew', { maxClockSkewMs: -1 }, RangeError],
    ['a date field without its skew', { maxClockSkewMs: undefined }, TypeError],
    ['a schema that is not a function', { schema: 'readNote' }, TypeError],
    ['no signature error', { errors: { ...SPEC.errors, signature: undefined } }, TypeError],
    ['no clock error', { errors: { ...SPEC.errors, notYetValid: undefined } }, TypeError]
  ])('refuses %s', (_, change, ErrorClass) => {
    expect(() => signedDocumentFormat({ ...SPEC, ...change } as unknown as SignedDocumentSpec<Note>)).toThrow(ErrorClass)
  })

  it('freezes what it checked', () => {
    expect(Object.isFrozen(NOTE)).toBe(true)
    expect(Object.isFrozen(NOTE.signedFields)).toBe(true)
    expect(Object.isFrozen(NOTE.errors)).toBe(true)
    expect(NOTE.keyField).toBe('publicKey')
  })
})
