/**
 * The `fd_*` functions of WASI preview1 over the sandbox's descriptor table
 * (legacy/preview1/docs.md, "Functions"). The spec names the errors only by
 * meaning; where it leaves the choice open the sandbox answers as POSIX and
 * wasmtime do: `badf` for a number that is not open or an operation the
 * descriptor was not opened for, `isdir` for reading or writing a directory,
 * `spipe` for seeking a character device, `notcapable` for asking more
 * rights than a descriptor holds.
 */
import {
  ALL_FDFLAGS, DIRENT_HEADER_BYTES, Errno, Fdflags, Filetype, Fstflags, MAX_ADVICE, PREOPENTYPE_DIR, READ_RIGHTS, Whence,
  WRITE_RIGHTS, writeFdstat, writeFilestat
} from './abi.ts'
import type { Filestat } from './abi.ts'
import { DirDescriptor, FileDescriptor, OutputDescriptor, StdinDescriptor } from './descriptors.ts'
import type { DescriptorTable } from './descriptors.ts'
import type { FileNode, TreeNode } from './file-tree.ts'
import type { GuestMemory } from './guest-memory.ts'

/** What the file-system functions share for one run. */
export interface FileSystemContext {
  memory: GuestMemory
  fds: DescriptorTable
  /** Asked before a file grows or an entry is added; throws to end the run past the quota. */
  quota: { growFile(from: number, to: number): void, addEntry(): void }
  /** Virtual realtime now, ns: for `*_NOW` timestamps. */
  now(): bigint
}

type WasiFunction = (...args: any[]) => number

const encoder = new TextEncoder()

/** Largest file offset the sandbox handles (files live in memory; the quota is far below). */
const MAX_OFFSET = 2 ** 53 - 1

export function fdFunctions (context: FileSystemContext): Record<string, WasiFunction> {
  const { memory, fds, quota } = context

  /** A regular file open for `need` (read or write rights), or the errno saying why not. */
  const openFile = (fd: number, need?: bigint): FileDescriptor | number => {
    const open = fds.get(fd)
    if (open === undefined) return Errno.BADF
    if (open instanceof DirDescriptor) return Errno.ISDIR
    if (!(open instanceof FileDescriptor)) return Errno.SPIPE
    return need !== undefined && (open.rights & need) === 0n ? Errno.BADF : open
  }

  const readInto = (node: FileNode, offset: number, iovs: number, count: number): number => {
    let total = 0
    for (const buffer of memory.iovecs(iovs, count)) {
      const n = node.read(offset + total, buffer)
      total += n
      if (n < buffer.byteLength) break
    }
    return total
  }

  const writeFrom = (node: FileNode, offset: number, iovs: number, count: number): number => {
    const buffers = memory.iovecs(iovs, count)
    const length = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0)
    if (length === 0) return 0
    quota.growFile(node.byteLength, offset + length)
    let at = offset
    for (const buffer of buffers) {
      node.write(at, buffer)
      at += buffer.byteLength
    }
    return length
  }

  const statOf = (fd: number): Filestat | number => {
    const open = fds.get(fd)
    if (open === undefined) return Errno.BADF
    if (open instanceof FileDescriptor || open instanceof DirDescriptor) return open.node.stat()
    return { dev: 0n, ino: 0n, filetype: Filetype.CHARACTER_DEVICE, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n }
  }

  return {
    fd_advise: (fd: number, _offset: bigint, _length: bigint, advice: number) => {
      const file = openFile(fd)
      if (typeof file === 'number') return file
      return advice > MAX_ADVICE ? Errno.INVAL : Errno.SUCCESS
    },
    fd_allocate: (fd: number, offset: bigint, length: bigint) => {
      const file = openFile(fd, WRITE_RIGHTS)
      if (typeof file === 'number') return file
      const end = Number(offset + length)
      if (end > MAX_OFFSET) return Errno.INVAL
      if (end > file.node.byteLength) {
        quota.growFile(file.node.byteLength, end)
        file.node.resize(end)
      }
      return Errno.SUCCESS
    },
    fd_close: (fd: number) => fds.close(fd) ? Errno.SUCCESS : Errno.BADF,
    fd_datasync: (fd: number) => fds.get(fd) === undefined ? Errno.BADF : Errno.SUCCESS,
    fd_sync: (fd: number) => fds.get(fd) === undefined ? Errno.BADF : Errno.SUCCESS,
    fd_fdstat_get: (fd: number, ptr: number) => {
      const open = fds.get(fd)
      if (open === undefined) return Errno.BADF
      writeFdstat(memory.view(), ptr, open.filetype, open.flags, open.rights, open.inheriting)
      return Errno.SUCCESS
    },
    fd_fdstat_set_flags: (fd: number, flags: number) => {
      const open = fds.get(fd)
      if (open === undefined) return Errno.BADF
      if ((flags & ~ALL_FDFLAGS) !== 0) return Errno.INVAL
      open.flags = flags
      return Errno.SUCCESS
    },
    // Rights can only be dropped (spec: fd_fdstat_set_rights "can only remove rights").
    fd_fdstat_set_rights: (fd: number, base: bigint, inheriting: bigint) => {
      const open = fds.get(fd)
      if (open === undefined) return Errno.BADF
      if ((base & ~open.rights) !== 0n || (inheriting & ~open.inheriting) !== 0n) return Errno.NOTCAPABLE
      open.rights = base
      open.inheriting = inheriting
      return Errno.SUCCESS
    },
    fd_filestat_get: (fd: number, ptr: number) => {
      const stat = statOf(fd)
      if (typeof stat === 'number') return stat
      writeFilestat(memory.view(), ptr, stat)
      return Errno.SUCCESS
    },
    fd_filestat_set_size: (fd: number, size: bigint) => {
      const file = openFile(fd, WRITE_RIGHTS)
      if (typeof file === 'number') return file
      if (size > BigInt(MAX_OFFSET)) return Errno.INVAL
      quota.growFile(file.node.byteLength, Number(size))
      file.node.resize(Number(size))
      return Errno.SUCCESS
    },
    fd_filestat_set_times: (fd: number, atim: bigint, mtim: bigint, flags: number) => {
      const open = fds.get(fd)
      if (open === undefined) return Errno.BADF
      if (!(open instanceof FileDescriptor || open instanceof DirDescriptor)) return Errno.SUCCESS
      return setTimes(open.node, atim, mtim, flags, context.now())
    },
    fd_pread: (fd: number, iovs: number, count: number, offset: bigint, nreadPtr: number) => {
      const file = openFile(fd, READ_RIGHTS)
      if (typeof file === 'number') return file
      if (offset > BigInt(MAX_OFFSET)) return Errno.INVAL
      memory.view().setUint32(nreadPtr, readInto(file.node, Number(offset), iovs, count), true)
      return Errno.SUCCESS
    },
    fd_pwrite: (fd: number, iovs: number, count: number, offset: bigint, nwrittenPtr: number) => {
      const file = openFile(fd, WRITE_RIGHTS)
      if (typeof file === 'number') return file
      if (offset > BigInt(MAX_OFFSET)) return Errno.INVAL
      // POSIX leaves pwrite on an O_APPEND file to the system; wasmtime writes at the offset given, and so does this.
      memory.view().setUint32(nwrittenPtr, writeFrom(file.node, Number(offset), iovs, count), true)
      return Errno.SUCCESS
    },
    fd_read: (fd: number, iovs: number, count: number, nreadPtr: number) => {
      const open = fds.get(fd)
      if (open instanceof StdinDescriptor) {
        let total = 0
        for (const buffer of memory.iovecs(iovs, count)) {
          const n = Math.min(buffer.byteLength, open.data.byteLength - open.position)
          buffer.set(open.data.subarray(open.position, open.position + n))
          open.position += n
          total += n
          if (n < buffer.byteLength) break
        }
        memory.view().setUint32(nreadPtr, total, true)
        return Errno.SUCCESS
      }
      if (open instanceof OutputDescriptor) return Errno.BADF
      const file = openFile(fd, READ_RIGHTS)
      if (typeof file === 'number') return file
      const n = readInto(file.node, file.position, iovs, count)
      file.position += n
      memory.view().setUint32(nreadPtr, n, true)
      return Errno.SUCCESS
    },
    fd_write: (fd: number, iovs: number, count: number, nwrittenPtr: number) => {
      const open = fds.get(fd)
      if (open instanceof OutputDescriptor) {
        let total = 0
        for (const buffer of memory.iovecs(iovs, count)) {
          // A copy: the sink keeps it, and the module reuses its buffer.
          open.write(buffer.slice())
          total += buffer.byteLength
        }
        memory.view().setUint32(nwrittenPtr, total, true)
        return Errno.SUCCESS
      }
      if (open instanceof StdinDescriptor) return Errno.BADF
      const file = openFile(fd, WRITE_RIGHTS)
      if (typeof file === 'number') return file
      // fdflags.append: "Append mode: Data written to the file is always appended to the file's end."
      if ((file.flags & Fdflags.APPEND) !== 0) file.position = file.node.byteLength
      const n = writeFrom(file.node, file.position, iovs, count)
      file.position += n
      memory.view().setUint32(nwrittenPtr, n, true)
      return Errno.SUCCESS
    },
    fd_prestat_get: (fd: number, ptr: number) => {
      const open = fds.get(fd)
      if (open === undefined) return Errno.BADF
      // Only preopened directories have a prestat; the spec gives no errno, wasi-libc stops at badf.
      if (!(open instanceof DirDescriptor) || open.preopen === undefined) return Errno.BADF
      const view = memory.view()
      view.setUint32(ptr, PREOPENTYPE_DIR, true)
      view.setUint32(ptr + 4, encoder.encode(open.preopen).byteLength, true)
      return Errno.SUCCESS
    },
    fd_prestat_dir_name: (fd: number, ptr: number, length: number) => {
      const open = fds.get(fd)
      if (open === undefined) return Errno.BADF
      if (!(open instanceof DirDescriptor) || open.preopen === undefined) return Errno.BADF
      const name = encoder.encode(open.preopen)
      if (name.byteLength > length) return Errno.NAMETOOLONG
      memory.bytes(ptr, name.byteLength).set(name)
      return Errno.SUCCESS
    },
    fd_readdir: (fd: number, buf: number, length: number, cookie: bigint, bufusedPtr: number) => {
      const open = fds.get(fd)
      if (open === undefined) return Errno.BADF
      if (!(open instanceof DirDescriptor)) return Errno.NOTDIR
      const dir = open.node
      // Cookies are positions in this order: ".", "..", then the entries in the order they were made.
      const entries: Array<[string, TreeNode]> = [['.', dir], ['..', dir.parent ?? dir], ...dir.entries]
      const out = new Uint8Array(length)
      let used = 0
      for (let i = Number(cookie); i < entries.length && used < length; i++) {
        const [name, node] = entries[i] as [string, TreeNode]
        const nameBytes = encoder.encode(name)
        const header = new DataView(new ArrayBuffer(DIRENT_HEADER_BYTES))
        header.setBigUint64(0, BigInt(i + 1), true)
        header.setBigUint64(8, node.ino, true)
        header.setUint32(16, nameBytes.byteLength, true)
        header.setUint8(20, node.filetype)
        // A dirent that does not fit is cut off: bufused == buf_len tells the caller to read again with a bigger buffer.
        const entry = new Uint8Array(DIRENT_HEADER_BYTES + nameBytes.byteLength)
        entry.set(new Uint8Array(header.buffer), 0)
        entry.set(nameBytes, DIRENT_HEADER_BYTES)
        const n = Math.min(entry.byteLength, length - used)
        out.set(entry.subarray(0, n), used)
        used += n
      }
      memory.bytes(buf, used).set(out.subarray(0, used))
      memory.view().setUint32(bufusedPtr, used, true)
      return Errno.SUCCESS
    },
    fd_renumber: (from: number, to: number) => fds.renumber(from, to) ? Errno.SUCCESS : Errno.BADF,
    fd_seek: (fd: number, offset: bigint, whence: number, newOffsetPtr: number) => {
      const file = openFile(fd)
      if (typeof file === 'number') return file
      const base = whence === Whence.SET ? 0 : whence === Whence.CUR ? file.position : whence === Whence.END ? file.node.byteLength : -1
      if (base < 0) return Errno.INVAL
      const target = BigInt(base) + offset
      if (target < 0n) return Errno.INVAL
      if (target > BigInt(MAX_OFFSET)) return Errno.OVERFLOW
      file.position = Number(target)
      memory.view().setBigUint64(newOffsetPtr, target, true)
      return Errno.SUCCESS
    },
    fd_tell: (fd: number, offsetPtr: number) => {
      const file = openFile(fd)
      if (typeof file === 'number') return file
      memory.view().setBigUint64(offsetPtr, BigInt(file.position), true)
      return Errno.SUCCESS
    }
  }
}

/**
 * `fd_filestat_set_times`/`path_filestat_set_times`: a time and its `_NOW`
 * flag together are invalid (`inval`); `_NOW` takes the virtual clock's time.
 */
export function setTimes (node: TreeNode, atim: bigint, mtim: bigint, flags: number, now: bigint): number {
  if ((flags & Fstflags.ATIM) !== 0 && (flags & Fstflags.ATIM_NOW) !== 0) return Errno.INVAL
  if ((flags & Fstflags.MTIM) !== 0 && (flags & Fstflags.MTIM_NOW) !== 0) return Errno.INVAL
  if ((flags & ~(Fstflags.ATIM | Fstflags.ATIM_NOW | Fstflags.MTIM | Fstflags.MTIM_NOW)) !== 0) return Errno.INVAL
  if ((flags & Fstflags.ATIM) !== 0) node.atim = atim
  if ((flags & Fstflags.ATIM_NOW) !== 0) node.atim = now
  if ((flags & Fstflags.MTIM) !== 0) node.mtim = mtim
  if ((flags & Fstflags.MTIM_NOW) !== 0) node.mtim = now
  node.ctim = now
  return Errno.SUCCESS
}
