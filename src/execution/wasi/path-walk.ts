/**
 * Path resolution under a directory descriptor, as WASI preview1 requires
 * (legacy/preview1/docs.md, "path"): paths are relative to the directory,
 * and neither an absolute path, nor `..`, nor a symbolic link may lead out
 * of it — that fails with `notcapable` ("Extension: Capabilities
 * insufficient"). Intermediate symbolic links are always followed; the last
 * component's only when asked (`lookupflags.symlink_follow`; callers that
 * resolve like POSIX open(2) also follow for a path ending in '/'). Too many links on the way fail with `loop`, as POSIX's
 * SYMLOOP_MAX does.
 */
import { Errno } from './abi.ts'
import { DirNode, SymlinkNode } from './file-tree.ts'
import type { TreeNode } from './file-tree.ts'

/** Most symbolic links followed in one resolution (Linux's limit). */
const MAX_SYMLINKS = 40

/** Where a path leads: the directory holding its last component, that name, and what is there (if anything). */
export interface Lookup {
  dir: DirNode
  /** Null when the path names `dir` itself ("." or a path ending in ".."). */
  name: string | null
  node: TreeNode | undefined
  /** The path ended in '/' (so it must name a directory). */
  trailingSlash: boolean
}

/** Resolves `path` under `root`; an errno when it cannot be. */
export function walk (root: DirNode, path: string, followLast: boolean): Lookup | number {
  if (path === '') return Errno.NOENT
  if (path.startsWith('/') || climbsOut(path)) return Errno.NOTCAPABLE
  const trailingSlash = endsInSlash(path)
  const stack: DirNode[] = [root]
  let queue = components(path)
  let links = 0
  for (;;) {
    const dir = stack[stack.length - 1] as DirNode
    const name = queue.shift()
    if (name === undefined) return { dir, name: null, node: dir, trailingSlash }
    if (name === '..') {
      if (stack.length === 1) return Errno.NOTCAPABLE
      stack.pop()
      continue
    }
    const node = dir.entries.get(name)
    const last = queue.length === 0
    if (last && !(node instanceof SymlinkNode && followLast)) return { dir, name, node, trailingSlash }
    if (node === undefined) return Errno.NOENT
    if (node instanceof SymlinkNode) {
      if (++links > MAX_SYMLINKS) return Errno.LOOP
      if (node.target.startsWith('/')) return Errno.NOTCAPABLE
      if (node.target === '') return Errno.NOENT
      queue = [...components(node.target), ...queue]
      continue
    }
    if (!(node instanceof DirNode)) return Errno.NOTDIR
    stack.push(node)
  }
}

/**
 * True when `path` leaves its directory by its `..` alone ("a/../../x"),
 * whatever is or is not on the way: refused before looking, so the answer
 * never depends on which names exist.
 */
function climbsOut (path: string): boolean {
  let depth = 0
  for (const part of components(path)) {
    depth += part === '..' ? -1 : 1
    if (depth < 0) return true
  }
  return false
}

/** True when `path` must name a directory: it ends in '/' or '/.'. */
export function endsInSlash (path: string): boolean {
  return path.endsWith('/') || path.endsWith('/.')
}

function components (path: string): string[] {
  return path.split('/').filter(part => part !== '' && part !== '.')
}
