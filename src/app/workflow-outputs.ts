/**
 * A completed run's outputs (`spec.outputs`, resolved) as the Workflows view
 * shows them: text as text, PNG and JPEG blobs — a step's file, or the files
 * of a fan-out's items, as the thumbnails template returns them — as images;
 * and every output as files to download: its whole text as `<output>.txt`
 * (`.json` when it is JSON), each blob under its file name.
 */
import type { WorkflowResult } from '../orchestration/workflow/runner/index.ts'
import type { Binding } from '../orchestration/workflow/scheduler/index.ts'
import type { WorkflowOutputView } from './types.ts'

/** Characters of text shown per output (the download has it all). */
const MAX_OUTPUT_TEXT = 4000
/** Images shown per output, and the largest shown. */
const MAX_OUTPUT_IMAGES = 24
const MAX_IMAGE_BYTES = 4 << 20
/** Files offered for download per output: each holds an object URL. */
const MAX_OUTPUT_FILES = 256

/** The image type of bytes by their signature (PNG, JPEG), or undefined. */
function imageType (bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png'
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  return undefined
}

/** A file extension for a blob with no name of its own, by its signature (PNG, JPEG, gzip — RFC 1952 §2.3.1). */
export function blobExtension (bytes: Uint8Array): string {
  const type = imageType(bytes)
  if (type === 'image/png') return '.png'
  if (type === 'image/jpeg') return '.jpg'
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return '.gz'
  return '.bin'
}

/** `.json` for text that is a JSON object or array, `.txt` otherwise. */
export function textExtension (text: string): string {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? '.json' : '.txt'
  } catch {
    return '.txt'
  }
}

/** A name safe to save under: no directories, no characters a file system may refuse. */
export function safeFileName (name: string): string {
  const safe = name.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '')
  return safe === '' ? 'file' : safe.slice(0, 120)
}

const clip = (text: string): string => text.length > MAX_OUTPUT_TEXT ? `${text.slice(0, MAX_OUTPUT_TEXT)}…` : text

/** One output: its text parts joined, its image blobs as object URLs, other blobs by their size; every part as a file. */
async function outputView (name: string, binding: Binding, getBlob: (hash: string) => Promise<Uint8Array | undefined>): Promise<WorkflowOutputView> {
  const files: NonNullable<WorkflowOutputView['files']> = []
  const taken = new Set<string>()
  /** Offers `bytes` as `fileName` (made unique within the output) while there is room, and returns its object URL (made anyway when `shown`). */
  const offer = (fileName: string, bytes: Uint8Array, type: string, shown = false): string | undefined => {
    if (files.length >= MAX_OUTPUT_FILES && !shown) return undefined
    const url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type }))
    if (files.length >= MAX_OUTPUT_FILES) return url
    const safe = safeFileName(fileName)
    const dot = safe.lastIndexOf('.')
    const [stem, extension] = dot > 0 ? [safe.slice(0, dot), safe.slice(dot)] : [safe, '']
    let unique = safe
    for (let n = 2; taken.has(unique); n++) unique = `${stem}-${n}${extension}`
    taken.add(unique)
    files.push({ name: unique, url, size: bytes.byteLength })
    return url
  }
  const images: Array<{ name: string, url: string }> = []
  /** The view, once `shown` (the text with a note for each blob not shown as an image) and `saved` (the text alone) are known. */
  const done = (shown: string, saved: string): WorkflowOutputView => {
    if (saved !== '') {
      const extension = textExtension(saved)
      offer(`${name}${extension}`, new TextEncoder().encode(saved), extension === '.json' ? 'application/json' : 'text/plain;charset=utf-8')
    }
    return { name, ...(shown === '' ? {} : { text: clip(shown) }), ...(images.length === 0 ? {} : { images }), ...(files.length === 0 ? {} : { files }) }
  }
  if (typeof binding === 'string') return done(binding, binding)
  let text = ''
  let saved = ''
  /** Text of the output itself: shown, and saved. */
  const write = (piece: string): void => {
    text += piece
    saved += piece
  }
  const blob = async (label: string, fileName: string | undefined, hash: string): Promise<void> => {
    const bytes = await getBlob(hash)
    if (bytes === undefined) {
      text += `[${label}: not stored]`
      return
    }
    const type = imageType(bytes)
    const shown = type !== undefined && bytes.byteLength <= MAX_IMAGE_BYTES && images.length < MAX_OUTPUT_IMAGES
    const url = offer(fileName ?? `${name}${blobExtension(bytes)}`, bytes, type ?? 'application/octet-stream', shown)
    if (shown && url !== undefined) {
      images.push({ name: label, url })
    } else {
      text += `[${label}: ${bytes.byteLength} bytes]`
    }
  }
  for (const part of binding) {
    if (part.kind === 'text') write(part.text)
    else if (part.kind === 'blob') await blob(name, undefined, part.hash)
    else if (part.kind === 'files') for (const [file, hash] of Object.entries(part.files)) await blob(file, file, hash)
    else {
      const shown: unknown[] = []
      for (const [index, item] of part.items.entries()) {
        const pictures = Object.entries(item?.files ?? {})
        for (const [file, hash] of pictures) await blob(`${part.step}[${index}] ${file}`, `${part.step}-${index}-${file}`, hash)
        if (pictures.length === 0) shown.push(item === null ? null : item.stdout)
      }
      if (shown.length > 0) write(JSON.stringify(shown))
    }
  }
  return done(text, saved)
}

/** The outputs of a run that completed, in the spec's order; none otherwise. */
export async function outputViews (result: WorkflowResult, getBlob: (hash: string) => Promise<Uint8Array | undefined>): Promise<WorkflowOutputView[]> {
  const views: WorkflowOutputView[] = []
  for (const [name, binding] of Object.entries(result.outputs ?? {})) views.push(await outputView(name, binding, getBlob))
  return views
}
