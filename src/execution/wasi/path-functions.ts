/**
 * The `path_*` functions of WASI preview1 (legacy/preview1/docs.md) over the
 * in-memory tree. Paths resolve as path-walk.ts describes. The spec names no
 * errors per function; these follow POSIX (openat, mkdirat, linkat,
 * renameat, symlinkat, unlinkat, readlinkat), which is also what wasmtime
 * answers on Linux: `exist` when the name is taken, `noent` when a needed
 * name is not, `notdir`/`isdir` for the wrong kind, `notempty` for removing or
 * replacing a directory that has entries, `loop` for opening a symbolic link
 * without following it (O_NOFOLLOW), `perm` for a hard link to a directory.
 */
import { DIRECTORY_RIGHTS, Errno, FILE_RIGHTS, LOOKUP_SYMLINK_FOLLOW, Oflags, Rights, writeFilestat } from './abi.ts'
import { DirDescriptor, FileDescriptor } from './descriptors.ts'
import { setTimes } from './fd-functions.ts'
import type { FileSystemContext } from './fd-functions.ts'
import { DirNode, FileNode, SymlinkNode } from './file-tree.ts'
import type { FileTreeContext, TreeNode } from './file-tree.ts'
import { endsInSlash, walk } from './path-walk.ts'
import type { Lookup } from './path-walk.ts'

type WasiFunction = (...args: any[]) => number

export function pathFunctions (context: FileSystemContext, tree: FileTreeContext): Record<string, WasiFunction> {
  const { memory, fds, quota } = context

  const directory = (fd: number): DirDescriptor | number => {
    const open = fds.get(fd)
    if (open === undefined) return Errno.BADF
    return open instanceof DirDescriptor ? open : Errno.NOTDIR
  }

  /**
   * Decodes the path and resolves it under `fd`; `follow` says whether a
   * symbolic link at the end is followed. `slashFollows`: as POSIX open(2)
   * and stat(2), a path ending in '/' follows one too (unlink, rmdir, rename
   * and the link-making calls act on the link itself).
   */
  const lookup = (fd: number, ptr: number, length: number, follow: boolean, slashFollows = false): Lookup | number => {
    const dir = directory(fd)
    if (typeof dir === 'number') return dir
    const path = memory.string(ptr, length)
    if (typeof path === 'number') return path
    return walk(dir.node, path, follow || (slashFollows && endsInSlash(path)))
  }

  /** An existing node: not there is `noent`; a non-directory named with a trailing '/' is `notdir`. */
  const existing = (found: Lookup | number): TreeNode | number => {
    if (typeof found === 'number') return found
    if (found.node === undefined) return Errno.NOENT
    if (found.trailingSlash && !(found.node instanceof DirNode)) return Errno.NOTDIR
    return found.node
  }

  /** A name where a new entry can go: it must not exist; a trailing '/' only for a directory. */
  const vacant = (found: Lookup | number, forDirectory: boolean): { dir: DirNode, name: string } | number => {
    if (typeof found === 'number') return found
    if (found.name === null || found.node !== undefined) return Errno.EXIST
    if (found.trailingSlash && !forDirectory) return Errno.NOENT
    return { dir: found.dir, name: found.name }
  }

  return {
    path_create_directory: (fd: number, ptr: number, length: number) => {
      const at = vacant(lookup(fd, ptr, length, false), true)
      if (typeof at === 'number') return at
      quota.addEntry()
      at.dir.link(at.name, new DirNode(tree))
      return Errno.SUCCESS
    },
    path_filestat_get: (fd: number, flags: number, ptr: number, length: number, statPtr: number) => {
      const node = existing(lookup(fd, ptr, length, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0, true))
      if (typeof node === 'number') return node
      writeFilestat(memory.view(), statPtr, node.stat())
      return Errno.SUCCESS
    },
    path_filestat_set_times: (fd: number, flags: number, ptr: number, length: number, atim: bigint, mtim: bigint, fstFlags: number) => {
      const node = existing(lookup(fd, ptr, length, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0, true))
      if (typeof node === 'number') return node
      return setTimes(node, atim, mtim, fstFlags, context.now())
    },
    path_link: (oldFd: number, oldFlags: number, oldPtr: number, oldLength: number, newFd: number, newPtr: number, newLength: number) => {
      const source = existing(lookup(oldFd, oldPtr, oldLength, (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0))
      if (typeof source === 'number') return source
      if (source instanceof DirNode) return Errno.PERM
      const at = vacant(lookup(newFd, newPtr, newLength, false), false)
      if (typeof at === 'number') return at
      quota.addEntry()
      at.dir.link(at.name, source)
      return Errno.SUCCESS
    },
    path_open: (fd: number, dirflags: number, ptr: number, length: number, oflags: number, base: bigint, inheriting: bigint, fdflags: number, openedPtr: number) => {
      const dir = directory(fd)
      if (typeof dir === 'number') return dir
      const found = lookup(fd, ptr, length, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0, true)
      if (typeof found === 'number') return found
      let node = found.node
      if (node === undefined) {
        if ((oflags & Oflags.CREAT) === 0) return Errno.NOENT
        if ((oflags & Oflags.DIRECTORY) !== 0) return Errno.INVAL
        if (found.trailingSlash || found.name === null) return Errno.ISDIR
        quota.addEntry()
        node = new FileNode(tree)
        found.dir.link(found.name, node)
      } else {
        if ((oflags & Oflags.CREAT) !== 0 && (oflags & Oflags.EXCL) !== 0) return Errno.EXIST
        if (node instanceof SymlinkNode) return Errno.LOOP
        if (!(node instanceof DirNode) && (found.trailingSlash || (oflags & Oflags.DIRECTORY) !== 0)) return Errno.NOTDIR
      }
      if (node instanceof DirNode) {
        if ((oflags & Oflags.TRUNC) !== 0 || (base & Rights.FD_WRITE) !== 0n) return Errno.ISDIR
        const opened = new DirDescriptor(node, base & DIRECTORY_RIGHTS & dir.inheriting, inheriting & dir.inheriting, fdflags)
        memory.view().setUint32(openedPtr, fds.add(opened), true)
        return Errno.SUCCESS
      }
      if ((oflags & Oflags.TRUNC) !== 0) {
        // Truncating through a path needs the directory's path_filestat_set_size right.
        if ((dir.rights & Rights.PATH_FILESTAT_SET_SIZE) === 0n) return Errno.NOTCAPABLE
        node.resize(0)
      }
      const rights = base & FILE_RIGHTS & dir.inheriting
      const opened = new FileDescriptor(node, rights, inheriting & dir.inheriting, fdflags)
      memory.view().setUint32(openedPtr, fds.add(opened), true)
      return Errno.SUCCESS
    },
    path_readlink: (fd: number, ptr: number, length: number, buf: number, bufLength: number, usedPtr: number) => {
      const found = lookup(fd, ptr, length, false)
      const node = existing(found)
      if (typeof node === 'number') return node
      // readlink(2) on something that is not a symbolic link: EINVAL.
      if (!(node instanceof SymlinkNode)) return Errno.INVAL
      const target = new TextEncoder().encode(node.target)
      const n = Math.min(target.byteLength, bufLength)
      memory.bytes(buf, n).set(target.subarray(0, n))
      memory.view().setUint32(usedPtr, n, true)
      return Errno.SUCCESS
    },
    path_remove_directory: (fd: number, ptr: number, length: number) => {
      const found = lookup(fd, ptr, length, false)
      const node = existing(found)
      if (typeof node === 'number') return node
      if (!(node instanceof DirNode)) return Errno.NOTDIR
      const { dir, name } = found as Lookup
      // rmdir(2) of "." (or a path ending in ".."): EINVAL.
      if (name === null) return Errno.INVAL
      if (node.entries.size > 0) return Errno.NOTEMPTY
      dir.unlink(name)
      return Errno.SUCCESS
    },
    path_rename: (oldFd: number, oldPtr: number, oldLength: number, newFd: number, newPtr: number, newLength: number) => {
      const from = lookup(oldFd, oldPtr, oldLength, false)
      const node = existing(from)
      if (typeof node === 'number') return node
      const to = lookup(newFd, newPtr, newLength, false)
      if (typeof to === 'number') return to
      const source = from as Lookup
      if (source.name === null || to.name === null) return Errno.INVAL
      if (to.node === node) return Errno.SUCCESS
      if (node instanceof DirNode) {
        if (to.dir.within(node)) return Errno.INVAL
        if (to.node !== undefined && !(to.node instanceof DirNode)) return Errno.NOTDIR
        if (to.node instanceof DirNode && to.node.entries.size > 0) return Errno.NOTEMPTY
      } else {
        if (to.node instanceof DirNode) return Errno.ISDIR
        if (to.trailingSlash) return Errno.NOTDIR
      }
      if (to.node !== undefined) to.dir.unlink(to.name)
      source.dir.unlink(source.name)
      to.dir.link(to.name, node)
      return Errno.SUCCESS
    },
    path_symlink: (targetPtr: number, targetLength: number, fd: number, ptr: number, length: number) => {
      const target = memory.string(targetPtr, targetLength)
      if (typeof target === 'number') return target
      const at = vacant(lookup(fd, ptr, length, false), false)
      if (typeof at === 'number') return at
      // A link out of the sandbox could never be followed; refuse to make one.
      if (target.startsWith('/')) return Errno.NOTCAPABLE
      quota.addEntry()
      at.dir.link(at.name, new SymlinkNode(tree, target))
      return Errno.SUCCESS
    },
    path_unlink_file: (fd: number, ptr: number, length: number) => {
      const found = lookup(fd, ptr, length, false)
      if (typeof found === 'number') return found
      const node = found.node
      if (node === undefined) return Errno.NOENT
      if (node instanceof DirNode || found.name === null) return Errno.ISDIR
      if (found.trailingSlash) return Errno.NOTDIR
      found.dir.unlink(found.name)
      return Errno.SUCCESS
    }
  }
}
