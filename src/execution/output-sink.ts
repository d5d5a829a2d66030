import { OutputTooLargeError } from './errors.ts'

/** Collects what a task writes to one stream, refusing to hold more than `cap` bytes. */
export class OutputSink {
  private readonly stream: string
  private readonly cap: number
  private readonly chunks: Uint8Array[] = []
  private size = 0

  constructor (stream: string, cap: number) {
    this.stream = stream
    this.cap = cap
  }

  /** Keeps `chunk` (the caller hands over ownership); throws once the total passes the cap. */
  write (chunk: Uint8Array): void {
    if (this.size + chunk.byteLength > this.cap) {
      throw new OutputTooLargeError(`Task wrote more than ${this.cap} bytes to ${this.stream}`)
    }
    this.chunks.push(chunk)
    this.size += chunk.byteLength
  }

  /** Everything written so far, as one fresh buffer (safe to transfer). */
  bytes (): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.size)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.byteLength
    }
    return out
  }
}
