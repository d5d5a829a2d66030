/**
 * The image formats the workloads read and write, told by their first bytes
 * (PNG: the 8-byte signature of RFC 2083 §3.1 / PNG spec §5.2; JPEG: the SOI
 * marker FF D8 followed by another marker, ITU T.81 §B.1.1.3), never by a file
 * name, which a stranger's task chooses.
 */
export type ImageMediaType = 'image/png' | 'image/jpeg'

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** The image type of `bytes`, or undefined when they start like neither a PNG nor a JPEG. */
export function sniffImageType (bytes: Uint8Array): ImageMediaType | undefined {
  if (bytes.byteLength >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) return 'image/png'
  if (bytes.byteLength >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  return undefined
}
