/**
 * The task's file descriptor table: stdin, stdout and stderr (character
 * devices, not seekable, so wasi-libc's `isatty` sees them as terminals the
 * way it always has for stdout), then the preopened directories, then
 * whatever the task opens. A new descriptor takes the lowest free number, as
 * POSIX open(2) does.
 */
import { Filetype, Rights } from './abi.ts'
import type { DirNode, FileNode } from './file-tree.ts'

/** stdin: the task's input bytes, read once front to back. */
export class StdinDescriptor {
  readonly filetype = Filetype.CHARACTER_DEVICE
  rights = Rights.FD_READ | Rights.POLL_FD_READWRITE
  inheriting = 0n
  flags = 0
  position = 0
  readonly data: Uint8Array

  constructor (data: Uint8Array) {
    this.data = data
  }
}

/** stdout or stderr: bytes go to a capped sink. */
export class OutputDescriptor {
  readonly filetype = Filetype.CHARACTER_DEVICE
  rights = Rights.FD_WRITE | Rights.POLL_FD_READWRITE
  inheriting = 0n
  flags = 0
  readonly write: (bytes: Uint8Array) => void

  constructor (write: (bytes: Uint8Array) => void) {
    this.write = write
  }
}

/** An open regular file. */
export class FileDescriptor {
  readonly filetype = Filetype.REGULAR_FILE
  position = 0
  readonly node: FileNode
  rights: bigint
  inheriting: bigint
  flags: number

  constructor (node: FileNode, rights: bigint, inheriting: bigint, flags: number) {
    this.node = node
    this.rights = rights
    this.inheriting = inheriting
    this.flags = flags
  }
}

/** An open directory; `preopen` is its guest path when the host opened it before the run. */
export class DirDescriptor {
  readonly filetype = Filetype.DIRECTORY
  readonly node: DirNode
  rights: bigint
  inheriting: bigint
  flags: number
  readonly preopen: string | undefined

  constructor (node: DirNode, rights: bigint, inheriting: bigint, flags: number, preopen?: string) {
    this.node = node
    this.rights = rights
    this.inheriting = inheriting
    this.flags = flags
    this.preopen = preopen
  }
}

export type Descriptor = StdinDescriptor | OutputDescriptor | FileDescriptor | DirDescriptor

export class DescriptorTable {
  private readonly slots: Array<Descriptor | undefined> = []

  constructor (initial: Descriptor[]) {
    this.slots.push(...initial)
  }

  get (fd: number): Descriptor | undefined {
    return this.slots[fd]
  }

  /** Adds `descriptor` at the lowest free number and returns it. */
  add (descriptor: Descriptor): number {
    let fd = this.slots.indexOf(undefined)
    if (fd < 0) fd = this.slots.length
    this.slots[fd] = descriptor
    return fd
  }

  /** False when `fd` was not open. */
  close (fd: number): boolean {
    if (this.slots[fd] === undefined) return false
    this.slots[fd] = undefined
    while (this.slots.length > 0 && this.slots[this.slots.length - 1] === undefined) this.slots.pop()
    return true
  }

  /** `fd_renumber`: `from` replaces `to` (which is closed); false unless both are open. */
  renumber (from: number, to: number): boolean {
    const descriptor = this.slots[from]
    if (descriptor === undefined || this.slots[to] === undefined) return false
    if (from === to) return true
    this.slots[to] = descriptor
    this.close(from)
    return true
  }

  /** Every open descriptor with its number. */
  * entries (): Generator<[number, Descriptor]> {
    for (let fd = 0; fd < this.slots.length; fd++) {
      const descriptor = this.slots[fd]
      if (descriptor !== undefined) yield [fd, descriptor]
    }
  }
}
