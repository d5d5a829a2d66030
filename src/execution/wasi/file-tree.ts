/**
 * The sandbox's in-memory file system: regular files, directories and
 * symbolic links, with inode numbers and timestamps. Every timestamp comes
 * from the task's virtual clock (virtual-clock.ts) and every inode number
 * from a counter that starts at 1 for each run, so what `filestat` reports
 * is the same on every executor.
 */
import { Filetype } from './abi.ts'
import type { Filestat } from './abi.ts'

/** The one device number every inode reports (there is one file system). */
const DEVICE = 1n

/** Where inode numbers and times come from; one per run. */
export class FileTreeContext {
  private nextIno = 1n
  readonly now: () => bigint

  constructor (now: () => bigint) {
    this.now = now
  }

  ino (): bigint {
    return this.nextIno++
  }
}

abstract class Node {
  readonly ino: bigint
  atim: bigint
  mtim: bigint
  ctim: bigint
  /** Directory entries naming this node (hard links). */
  links = 0
  readonly context: FileTreeContext

  constructor (context: FileTreeContext) {
    this.context = context
    this.ino = context.ino()
    const now = context.now()
    this.atim = now
    this.mtim = now
    this.ctim = now
  }

  abstract get filetype (): number
  abstract get size (): bigint

  stat (): Filestat {
    return { dev: DEVICE, ino: this.ino, filetype: this.filetype, nlink: BigInt(this.links), size: this.size, atim: this.atim, mtim: this.mtim, ctim: this.ctim }
  }

  /** Marks the contents changed. */
  touch (): void {
    this.mtim = this.ctim = this.context.now()
  }
}

export class FileNode extends Node {
  private buffer: Uint8Array
  private length: number

  constructor (context: FileTreeContext, data: Uint8Array = new Uint8Array(0)) {
    super(context)
    this.buffer = data
    this.length = data.byteLength
  }

  get filetype (): number { return Filetype.REGULAR_FILE }
  get size (): bigint { return BigInt(this.length) }
  get byteLength (): number { return this.length }

  /** The file's bytes (a view: copy before keeping). */
  get data (): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }

  read (offset: number, into: Uint8Array): number {
    if (offset >= this.length) return 0
    const n = Math.min(into.byteLength, this.length - offset)
    into.set(this.buffer.subarray(offset, offset + n))
    return n
  }

  write (offset: number, bytes: Uint8Array): void {
    const end = offset + bytes.byteLength
    if (end > this.length) this.resize(end)
    this.buffer.set(bytes, offset)
    this.touch()
  }

  /** Sets the size; new bytes are zero. */
  resize (size: number): void {
    if (size > this.buffer.byteLength) {
      // Grow geometrically so appending in small writes stays linear.
      const grown = new Uint8Array(Math.max(size, Math.min(this.buffer.byteLength * 2, size + (1 << 24))))
      grown.set(this.buffer.subarray(0, this.length))
      this.buffer = grown
    } else if (size > this.length) {
      this.buffer.fill(0, this.length, size)
    }
    this.length = size
    this.touch()
  }
}

export class DirNode extends Node {
  readonly entries = new Map<string, TreeNode>()
  /** The directory holding this one; null for a preopened root. A directory has one parent: hard links to directories are refused. */
  parent: DirNode | null = null

  get filetype (): number { return Filetype.DIRECTORY }
  get size (): bigint { return 0n }

  link (name: string, node: TreeNode): void {
    this.entries.set(name, node)
    node.links++
    if (node instanceof DirNode) node.parent = this
    this.touch()
  }

  unlink (name: string): void {
    const node = this.entries.get(name)
    if (node === undefined) return
    this.entries.delete(name)
    node.links--
    if (node instanceof DirNode) node.parent = null
    this.touch()
  }

  /** True when `this` is `other` or lies inside it. */
  within (other: DirNode): boolean {
    for (let dir: DirNode | null = this; dir !== null; dir = dir.parent) if (dir === other) return true
    return false
  }
}

export class SymlinkNode extends Node {
  readonly target: string

  constructor (context: FileTreeContext, target: string) {
    super(context)
    this.target = target
  }

  get filetype (): number { return Filetype.SYMBOLIC_LINK }
  get size (): bigint { return BigInt(new TextEncoder().encode(this.target).byteLength) }
}

export type TreeNode = FileNode | DirNode | SymlinkNode

/** Every regular file under `dir`, as '/'-separated paths relative to it, in entry order. */
export function * filesUnder (dir: DirNode, prefix = ''): Generator<[string, FileNode]> {
  for (const [name, entry] of dir.entries) {
    if (entry instanceof DirNode) yield * filesUnder(entry, `${prefix}${name}/`)
    else if (entry instanceof FileNode) yield [prefix + name, entry]
  }
}
