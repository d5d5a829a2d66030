/**
 * One entry of the sample index (`public/samples/samples.json`): a WASI
 * command compiled by the build (src/build/compile-samples.ts) and offered by
 * the page.
 */
/** The groups the page's sample picker shows, in this order. */
export const SAMPLE_CATEGORIES = ['ai', 'image', 'data', 'tools'] as const
export type SampleCategory = typeof SAMPLE_CATEGORIES[number]

/** What a sample reads on stdin: text typed in a box, or an image picked from a file (or the camera). */
export type SampleStdinKind = 'text' | 'image'

export interface SampleTask {
  id: string
  title: string
  /** What it does and what its arguments mean, in a sentence or two. */
  description: string
  category: SampleCategory
  stdinKind: SampleStdinKind
  /** URL of the compiled module, relative to the app. */
  url: string
  /** Lowercase hex SHA-256 of the module bytes. */
  sha256: string
  /** The example input, when it is text. */
  defaultStdin: string
  /** URL (relative to the app) of the example input when it is a file, e.g. a photo; it replaces `defaultStdin`. */
  defaultStdinUrl?: string
  /** Example files placed in /work: name there → URL relative to the app. */
  defaultFiles?: Array<{ name: string, url: string }>
  defaultArgs: string[]
  /** Suggested timeout in ms; the sample that never ends uses a short one. */
  defaultTimeoutMs: number
}
