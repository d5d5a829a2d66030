/**
 * The task's directories: `/work` (WASI fd 3, and again as `.` at fd 4)
 * holding `TaskInput.files`, and for a local run the directories in
 * `TaskInput.mounts`. They live in memory (wasi/file-tree.ts); paths are
 * resolved by wasi/path-walk.ts, which refuses absolute paths, and `..` or
 * symbolic links that would climb out of a directory, with `notcapable`
 * (WASI preview1 path resolution); there is nothing else to reach.
 */
import { MAX_INPUT_FILES_BYTES, MAX_WORK_ENTRIES, MAX_WORK_DIRECTORY_BYTES, WORK_DIR } from './constants.ts'
import { OutputTooLargeError } from './errors.ts'
import { DirNode, FileNode, filesUnder } from './wasi/file-tree.ts'
import type { FileTreeContext, TreeNode } from './wasi/file-tree.ts'

/** Most UTF-8 bytes in one input path. */
const MAX_PATH_BYTES = 4096

interface Tree { [name: string]: Tree | Uint8Array }

/**
 * Builds a directory from the task's files. Throws `TypeError` for a path that is
 * empty, absolute, has `.`/`..`/empty components or a NUL, repeats, or is
 * both a file and a directory; `RangeError` when the files hold more than
 * `MAX_INPUT_FILES_BYTES` together or more than `MAX_WORK_ENTRIES` entries.
 */
export function createWorkDirectory (files: Array<[string, Uint8Array]>, context: FileTreeContext): DirNode {
  const root: Tree = {}
  let bytes = 0
  let entries = 0
  for (const [path, data] of files) {
    const parts = splitPath(path)
    bytes += data.byteLength
    if (bytes > MAX_INPUT_FILES_BYTES) throw new RangeError(`Input files hold more than ${MAX_INPUT_FILES_BYTES} bytes`)
    let dir = root
    for (const part of parts.slice(0, -1)) {
      const child = Object.hasOwn(dir, part) ? dir[part] : undefined
      if (child instanceof Uint8Array) throw new TypeError(`Input path "${path}" runs through a file`)
      if (child === undefined) entries++
      dir = child ?? (dir[part] = Object.create(null) as Tree)
    }
    const name = parts[parts.length - 1] as string
    if (Object.hasOwn(dir, name)) throw new TypeError(`Input path "${path}" is given twice or is also a directory`)
    dir[name] = data
    if (++entries > MAX_WORK_ENTRIES) throw new RangeError(`Input files make more than ${MAX_WORK_ENTRIES} entries`)
  }
  const directory = toNodes(root, new DirNode(context), context)
  directory.links = 1
  return directory
}

function splitPath (path: string): string[] {
  if (typeof path !== 'string' || path === '') throw new TypeError('Input path must be a non-empty string')
  if (new TextEncoder().encode(path).byteLength > MAX_PATH_BYTES) throw new TypeError(`Input path is longer than ${MAX_PATH_BYTES} bytes`)
  const parts = path.split('/')
  if (path.includes('\0') || parts.some(part => part === '' || part === '.' || part === '..')) {
    throw new TypeError(`Input path "${path}" must be relative, '/'-separated, without empty, "." or ".." parts`)
  }
  return parts
}

function toNodes (tree: Tree, dir: DirNode, context: FileTreeContext): DirNode {
  // Sorted, so entry order (and so fd_readdir order and inode numbers) does not depend on the order files were listed in.
  for (const name of Object.keys(tree).sort()) {
    const child = tree[name] as Tree | Uint8Array
    // A copy: the task may change its files, the caller's bytes stay as they were.
    dir.link(name, child instanceof Uint8Array ? new FileNode(context, child.slice()) : toNodes(child, new DirNode(context), context))
  }
  return dir
}

/**
 * Every file under `dir` whose bytes differ from `before` (or that is new),
 * as fresh buffers, sorted by path. Deleted files are not reported.
 */
export function changedFiles (dir: DirNode, before: Array<[string, Uint8Array]>): Array<[string, Uint8Array<ArrayBuffer>]> {
  const original = new Map(before)
  const changed: Array<[string, Uint8Array<ArrayBuffer>]> = []
  for (const [path, file] of filesUnder(dir)) {
    if (!sameBytes(original.get(path), file.data)) changed.push([path, file.data.slice()])
  }
  return changed.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
}

function sameBytes (a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Keeps the task's directories (together) within `MAX_WORK_DIRECTORY_BYTES` and `MAX_WORK_ENTRIES`. The
 * runner asks before every call that could grow a file or add an entry;
 * the running totals only ever overestimate (shrinking and deleting are not
 * tracked), so on a would-be overflow the tree is measured again before
 * refusing.
 */
export class WorkQuota {
  private readonly roots: DirNode[]
  private bytes: number
  private entries: number

  constructor (roots: DirNode[]) {
    this.roots = roots
    ;({ bytes: this.bytes, entries: this.entries } = this.measure())
  }

  /** Throws `OutputTooLargeError` unless a file may grow from `from` to `to` bytes. */
  growFile (from: number, to: number): void {
    const delta = to - from
    if (!(delta > 0)) return
    if (this.bytes + delta > MAX_WORK_DIRECTORY_BYTES) {
      this.bytes = this.measure().bytes
      if (this.bytes + delta > MAX_WORK_DIRECTORY_BYTES) throw new OutputTooLargeError(`Task grew the files in ${WORK_DIR} past ${MAX_WORK_DIRECTORY_BYTES} bytes`)
    }
    this.bytes += delta
  }

  /** Throws `OutputTooLargeError` unless one more file or directory fits. */
  addEntry (): void {
    if (this.entries + 1 > MAX_WORK_ENTRIES) {
      this.entries = this.measure().entries
      if (this.entries + 1 > MAX_WORK_ENTRIES) throw new OutputTooLargeError(`Task made more than ${MAX_WORK_ENTRIES} entries in ${WORK_DIR}`)
    }
    this.entries++
  }

  private measure (): { bytes: number, entries: number } {
    const seen = new Set<TreeNode>()
    let bytes = 0
    const visit = (directory: DirNode): void => {
      for (const entry of directory.entries.values()) {
        if (seen.has(entry)) continue // a hard link: count its bytes once
        seen.add(entry)
        if (entry instanceof DirNode) visit(entry)
        else if (entry instanceof FileNode) bytes += entry.byteLength
      }
    }
    for (const root of this.roots) visit(root)
    return { bytes, entries: seen.size }
  }
}
