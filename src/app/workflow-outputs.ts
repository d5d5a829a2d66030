/**
 * A completed run's outputs (`spec.outputs`, resolved) as the Workflows view
 * shows them: text as text, PNG and JPEG blobs — a step's file, or the files
 * of a fan-out's items, as the thumbnails template returns them — as images.
 */
import type { WorkflowResult } from '../orchestration/workflow/runner/index.ts'
import type { Binding } from '../orchestration/workflow/scheduler/index.ts'
import type { WorkflowOutputView } from './types.ts'

/** Characters of text shown per output. */
const MAX_OUTPUT_TEXT = 4000
/** Images shown per output, and the largest shown. */
const MAX_OUTPUT_IMAGES = 24
const MAX_IMAGE_BYTES = 4 << 20

/** The image type of bytes by their signature (PNG, JPEG), or undefined. */
function imageType (bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png'
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  return undefined
}

const clip = (text: string): string => text.length > MAX_OUTPUT_TEXT ? `${text.slice(0, MAX_OUTPUT_TEXT)}…` : text

/** One output: its text parts joined, its image blobs as object URLs, other blobs by their size. */
async function outputView (name: string, binding: Binding, getBlob: (hash: string) => Promise<Uint8Array | undefined>): Promise<WorkflowOutputView> {
  if (typeof binding === 'string') return { name, text: clip(binding) }
  let text = ''
  const images: Array<{ name: string, url: string }> = []
  const blob = async (label: string, hash: string): Promise<void> => {
    const bytes = await getBlob(hash)
    const type = bytes === undefined ? undefined : imageType(bytes)
    if (bytes !== undefined && type !== undefined && bytes.byteLength <= MAX_IMAGE_BYTES && images.length < MAX_OUTPUT_IMAGES) {
      images.push({ name: label, url: URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type })) })
    } else {
      text += `[${label}: ${bytes === undefined ? 'not stored' : `${bytes.byteLength} bytes`}]`
    }
  }
  for (const part of binding) {
    if (part.kind === 'text') text += part.text
    else if (part.kind === 'blob') await blob(name, part.hash)
    else if (part.kind === 'files') for (const [file, hash] of Object.entries(part.files)) await blob(file, hash)
    else {
      const shown: unknown[] = []
      for (const [index, item] of part.items.entries()) {
        const pictures = Object.entries(item?.files ?? {})
        for (const [file, hash] of pictures) await blob(`${part.step}[${index}] ${file}`, hash)
        if (pictures.length === 0) shown.push(item === null ? null : item.stdout)
      }
      if (shown.length > 0) text += JSON.stringify(shown)
    }
  }
  return { name, ...(text === '' ? {} : { text: clip(text) }), ...(images.length === 0 ? {} : { images }) }
}

/** The outputs of a run that completed, in the spec's order; none otherwise. */
export async function outputViews (result: WorkflowResult, getBlob: (hash: string) => Promise<Uint8Array | undefined>): Promise<WorkflowOutputView[]> {
  const views: WorkflowOutputView[] = []
  for (const [name, binding] of Object.entries(result.outputs ?? {})) views.push(await outputView(name, binding, getBlob))
  return views
}
