/**
 * Standard base64 (RFC 4648 §4, padded), the encoding ProtoJSON gives
 * `bytes` (a2a.proto `Part.raw`), over core's strict base64url codec. On
 * reading, the URL-safe alphabet and missing padding are accepted too, as
 * the ProtoJSON mapping requires of a parser.
 */
import { base64UrlToBytes, bytesToBase64Url } from '../../core/encoding.ts'

export function bytesToBase64 (bytes: Uint8Array): string {
  const url = bytesToBase64Url(bytes).replaceAll('-', '+').replaceAll('_', '/')
  return url + '='.repeat((4 - url.length % 4) % 4)
}

/** Throws (InvalidBase64UrlError) on anything but base64 of either alphabet, with or without its padding. */
export function base64ToBytes (text: string): Uint8Array<ArrayBuffer> {
  const unpadded = text.endsWith('==') ? text.slice(0, -2) : text.endsWith('=') ? text.slice(0, -1) : text
  return base64UrlToBytes(unpadded.replaceAll('+', '-').replaceAll('/', '_'))
}
