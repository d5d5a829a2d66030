/**
 * Reading and writing the module's linear memory for WASI calls. The buffer
 * is fetched anew for every call: `memory.grow` replaces it.
 */
import { Errno } from './abi.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class GuestMemory {
  private readonly buffer: () => ArrayBuffer

  constructor (buffer: () => ArrayBuffer) {
    this.buffer = buffer
  }

  view (): DataView {
    return new DataView(this.buffer())
  }

  bytes (ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.buffer(), ptr, length)
  }

  /**
   * A path argument: UTF-8 (WASI preview1 `string`), else `ilseq`; a NUL
   * inside it is refused with `inval`, as no file name can hold one.
   */
  string (ptr: number, length: number): string | number {
    let text: string
    try {
      text = utf8.decode(this.bytes(ptr, length))
    } catch {
      return Errno.ILSEQ
    }
    return text.includes('\0') ? Errno.INVAL : text
  }

  /** The buffers of an `iovec`/`ciovec` array (buf u32, buf_len u32), as views into memory. */
  iovecs (ptr: number, count: number): Uint8Array[] {
    const view = this.view()
    const buffers: Uint8Array[] = []
    for (let i = 0; i < count; i++) {
      buffers.push(this.bytes(view.getUint32(ptr + i * 8, true), view.getUint32(ptr + i * 8 + 4, true)))
    }
    return buffers
  }
}
