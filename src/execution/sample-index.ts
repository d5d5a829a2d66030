/**
 * One entry of the sample index (`public/samples/samples.json`): a WASI
 * command compiled by the build (src/build/compile-samples.ts) and offered by
 * the page.
 */
export interface SampleTask {
  id: string
  title: string
  description: string
  /** URL of the compiled module, relative to the app. */
  url: string
  /** Lowercase hex SHA-256 of the module bytes. */
  sha256: string
  defaultStdin: string
  defaultArgs: string[]
  /** Suggested timeout in ms; the sample that never ends uses a short one. */
  defaultTimeoutMs: number
}
