// AssemblyScript sample: copies stdin to stdout unchanged, chunk by chunk, so it
// measures transport and sandbox overhead rather than any computation.

const CHUNK: i32 = 64 * 1024

const buffer = new ArrayBuffer(CHUNK)
while (true) {
  const n = process.stdin.read(buffer)
  if (n <= 0) break
  process.stdout.write(n == CHUNK ? buffer : buffer.slice(0, n))
}
