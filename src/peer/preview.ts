/** How much of a task's stdout a receipt record keeps to show people. */
export const STDOUT_PREVIEW_CHARS = 200

/** The start of `stdout` as text, for people. */
export function preview (stdout: Uint8Array): string {
  // Lossy on purpose: the preview is for people; the receipt hashes the bytes.
  return new TextDecoder().decode(stdout.subarray(0, STDOUT_PREVIEW_CHARS * 4)).slice(0, STDOUT_PREVIEW_CHARS)
}
