// AssemblyScript (compiled by asc with @assemblyscript/wasi-shim), not TypeScript:
// `process` here is the shim's WASI preview1 binding, not Node's.

/** Bytes read from stdin per `fd_read` call. */
const READ_CHUNK: i32 = 64 * 1024

/** Reads stdin until end of file (a zero-length read, WASI preview1 `fd_read`). */
export function readAllStdin (): Uint8Array {
  let buffer = new Uint8Array(READ_CHUNK)
  let length: i32 = 0
  while (true) {
    if (length == buffer.length) {
      const grown = new Uint8Array(buffer.length * 2)
      grown.set(buffer)
      buffer = grown
    }
    const n = process.stdin.read(buffer.buffer, length)
    if (n <= 0) break
    length += n
  }
  return buffer.subarray(0, length)
}

/** Decodes UTF-8 bytes; invalid sequences become U+FFFD as in the WHATWG decoder. */
export function decodeUtf8 (bytes: Uint8Array): string {
  return String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length)
}

/** Writes a message to stderr and ends the process with `code` (WASI `proc_exit`). */
export function fail (message: string, code: i32): void {
  process.stderr.write(message + '\n')
  process.exit(code)
}
