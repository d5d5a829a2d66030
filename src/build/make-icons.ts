/**
 * Writes the PWA icons in public/icons/ (run once; the PNGs are committed):
 * a ring of three linked peers around a centre node, the "zero" of ZeroState.
 * Shapes are drawn as signed distance fields with one pixel of anti-aliasing
 * and encoded as RGBA PNG (ISO/IEC 15948, zlib-compressed IDAT, CRC-32 per chunk).
 *
 * Usage: node src/build/make-icons.ts
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

type Rgb = readonly [number, number, number]

const BACKGROUND: Rgb = [0x0b, 0x12, 0x20]
const LINK: Rgb = [0x8b, 0x84, 0xff]
const NODE: Rgb = [0x22, 0xd3, 0xee]
const CENTRE: Rgb = [0xff, 0xff, 0xff]

interface Icon {
  file: string
  size: number
  /**
   * Maskable icons fill the square and keep the drawing inside the central
   * 80 % circle (the W3C "Manifest" safe zone); plain ones are a rounded square.
   */
  maskable: boolean
}

const ICONS: Icon[] = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true }
]

/** Coverage 0..1 of a pixel whose centre is `d` pixels outside a shape (negative = inside). */
function coverage (d: number): number {
  return Math.min(1, Math.max(0, 0.5 - d))
}

function distanceToSegment (px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy))
}

function roundedSquareDistance (px: number, py: number, size: number, radius: number): number {
  const half = size / 2
  const qx = Math.abs(px - half) - (half - radius)
  const qy = Math.abs(py - half) - (half - radius)
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius
}

function render ({ size, maskable }: Icon): Uint8Array {
  const rgba = new Uint8Array(size * size * 4)
  const c = size / 2
  // Scale of the drawing: the maskable one must fit the 40 %-radius safe zone.
  const unit = size * (maskable ? 0.33 : 0.4)
  const ring = unit * 0.78
  const nodes = [90, 210, 330].map((deg) => {
    const a = (deg * Math.PI) / 180
    return [c + ring * Math.cos(a), c - ring * Math.sin(a)] as const
  })
  const stroke = unit * 0.07
  const nodeRadius = unit * 0.17
  const centreRadius = unit * 0.13

  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5
      const py = y + 0.5
      let colour: [number, number, number] = [...BACKGROUND]
      const blend = (over: Rgb, a: number): void => {
        colour = [0, 1, 2].map((i) => colour[i]! + (over[i]! - colour[i]!) * a) as [number, number, number]
      }
      blend(LINK, coverage(Math.abs(Math.hypot(px - c, py - c) - ring) - stroke / 2))
      for (let i = 0; i < nodes.length; i++) {
        const [ax, ay] = nodes[i]!
        const [bx, by] = nodes[(i + 1) % nodes.length]!
        blend(LINK, coverage(distanceToSegment(px, py, ax, ay, bx, by) - stroke / 2) * 0.55)
        blend(LINK, coverage(distanceToSegment(px, py, ax, ay, c, c) - stroke / 2) * 0.55)
      }
      for (const [nx, ny] of nodes) blend(NODE, coverage(Math.hypot(px - nx, py - ny) - nodeRadius))
      blend(CENTRE, coverage(Math.hypot(px - c, py - c) - centreRadius))

      const alpha = maskable ? 1 : coverage(roundedSquareDistance(px, py, size, size * 0.22))
      const o = (y * size + x) * 4
      rgba[o] = Math.round(colour[0])
      rgba[o + 1] = Math.round(colour[1])
      rgba[o + 2] = Math.round(colour[2])
      rgba[o + 3] = Math.round(alpha * 255)
    }
  }
  return rgba
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32 (bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk (type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  out.set(new TextEncoder().encode(type), 4)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)))
  return out
}

function encodePng (rgba: Uint8Array, size: number): Uint8Array {
  const header = new Uint8Array(13)
  const view = new DataView(header.buffer)
  view.setUint32(0, size)
  view.setUint32(4, size)
  header[8] = 8 // bit depth
  header[9] = 6 // colour type: truecolour with alpha
  // Bytes 10–12 stay 0: deflate compression, adaptive filtering, no interlace.
  const rowBytes = size * 4
  const raw = new Uint8Array((rowBytes + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (rowBytes + 1)] = 0 // filter type None
    raw.set(rgba.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1)
  }
  const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)
  const parts = [signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array())]
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    png.set(p, offset)
    offset += p.length
  }
  return png
}

const outDir = join(dirname(fileURLToPath(import.meta.url)), '../../public/icons')
mkdirSync(outDir, { recursive: true })
for (const icon of ICONS) {
  writeFileSync(join(outDir, icon.file), encodePng(render(icon), icon.size))
  console.log(`wrote public/icons/${icon.file}`)
}
