/**
 * The digest a receipt gives for a set of files (`inputFilesHash`,
 * `outputFilesHash`; docs/receipt-format.md §4): SHA-256 of the UTF-8 of the
 * RFC 8785 canonical JSON of `[[path, sha256hex(bytes)], …]`, sorted by path.
 *
 * @example
 * filesHash([]) // '4f53cda1…b945', the SHA-256 of the two bytes `[]`
 * filesHash([['b', bytesB], ['a', bytesA]]) // SHA-256 of `[["a","<sha256hex(bytesA)>"],["b","<sha256hex(bytesB)>"]]`
 */
import { assertBytes, canonicalize, isWellFormedString, nameError, sha256Hex, utf8ToBytes } from '../core/index.ts'

/** Thrown when a file list names the same path twice, so it describes no single directory. */
export class DuplicateFilePathError extends Error {
  static { nameError(this, 'DuplicateFilePathError') }
}

/** Lowercase hex SHA-256 identifying a list of files by path and content; the order given does not matter. */
export function filesHash (files: ReadonlyArray<readonly [string, Uint8Array]>): string {
  if (!Array.isArray(files)) throw new TypeError('files must be an array of [path, bytes] pairs')
  const entries: Array<[string, string]> = files.map((file: unknown, i) => {
    if (!Array.isArray(file) || file.length !== 2) throw new TypeError(`files[${i}] must be a [path, bytes] pair`)
    const [path, bytes] = file as [unknown, unknown]
    if (typeof path !== 'string') throw new TypeError(`files[${i}] path must be a string`)
    // I-JSON (RFC 7493 §2.1) has no lone surrogates, so such a path has no canonical form.
    if (!isWellFormedString(path)) throw new TypeError(`files[${i}] path must not contain a lone surrogate`)
    assertBytes(bytes, `files[${i}] bytes`)
    return [path, sha256Hex(bytes)]
  })
  // By UTF-16 code units, the order RFC 8785 §3.2.3 gives object keys, which is
  // what JavaScript's < on strings compares.
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  let previous: string | undefined
  for (const [path] of entries) {
    if (path === previous) throw new DuplicateFilePathError(`path ${JSON.stringify(path)} appears twice`)
    previous = path
  }
  return sha256Hex(utf8ToBytes(canonicalize(entries)))
}
