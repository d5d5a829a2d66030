/**
 * WASI preview1 numbers and memory layouts the sandbox uses, as the spec
 * defines them (WebAssembly/WASI, legacy/preview1/docs.md and
 * legacy/preview1/witx/typenames.witx). Nothing here decides behaviour.
 */

/** `errno` (u16). Only the values the sandbox returns. */
export const Errno = {
  SUCCESS: 0,
  ACCES: 2,
  AGAIN: 6,
  BADF: 8,
  EXIST: 20,
  ILSEQ: 25,
  INVAL: 28,
  ISDIR: 31,
  LOOP: 32,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTSOCK: 57,
  NOTSUP: 58,
  OVERFLOW: 61,
  PERM: 63,
  SPIPE: 70,
  XDEV: 75,
  NOTCAPABLE: 76
} as const

/** `filetype` (u8). */
export const Filetype = {
  UNKNOWN: 0,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SYMBOLIC_LINK: 7
} as const

/** `rights` (u64 flags), bit positions from the spec. */
export const Rights = {
  FD_DATASYNC: 1n << 0n,
  FD_READ: 1n << 1n,
  FD_SEEK: 1n << 2n,
  FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n,
  FD_TELL: 1n << 5n,
  FD_WRITE: 1n << 6n,
  FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n,
  PATH_CREATE_DIRECTORY: 1n << 9n,
  PATH_CREATE_FILE: 1n << 10n,
  PATH_LINK_SOURCE: 1n << 11n,
  PATH_LINK_TARGET: 1n << 12n,
  PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n,
  PATH_READLINK: 1n << 15n,
  PATH_RENAME_SOURCE: 1n << 16n,
  PATH_RENAME_TARGET: 1n << 17n,
  PATH_FILESTAT_GET: 1n << 18n,
  PATH_FILESTAT_SET_SIZE: 1n << 19n,
  PATH_FILESTAT_SET_TIMES: 1n << 20n,
  FD_FILESTAT_GET: 1n << 21n,
  FD_FILESTAT_SET_SIZE: 1n << 22n,
  FD_FILESTAT_SET_TIMES: 1n << 23n,
  PATH_SYMLINK: 1n << 24n,
  PATH_REMOVE_DIRECTORY: 1n << 25n,
  PATH_UNLINK_FILE: 1n << 26n,
  POLL_FD_READWRITE: 1n << 27n
} as const

/** Every right that applies to a regular file. */
export const FILE_RIGHTS = Rights.FD_DATASYNC | Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FDSTAT_SET_FLAGS |
  Rights.FD_SYNC | Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_ADVISE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_GET |
  Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES | Rights.POLL_FD_READWRITE

/** Every right that applies to a directory (no reading, writing or seeking: a directory is not a byte stream). */
export const DIRECTORY_RIGHTS = Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_ADVISE |
  Rights.PATH_CREATE_DIRECTORY | Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE | Rights.PATH_LINK_TARGET |
  Rights.PATH_OPEN | Rights.FD_READDIR | Rights.PATH_READLINK | Rights.PATH_RENAME_SOURCE | Rights.PATH_RENAME_TARGET |
  Rights.PATH_FILESTAT_GET | Rights.PATH_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_TIMES | Rights.FD_FILESTAT_GET |
  Rights.FD_FILESTAT_SET_TIMES | Rights.PATH_SYMLINK | Rights.PATH_REMOVE_DIRECTORY | Rights.PATH_UNLINK_FILE

/** What a file opened under a directory may be given. */
export const INHERITABLE_RIGHTS = FILE_RIGHTS | DIRECTORY_RIGHTS

/** Rights that let an open file be read, or written (as wasmtime reads them from `path_open`'s `fs_rights_base`). */
export const READ_RIGHTS = Rights.FD_READ | Rights.FD_READDIR
export const WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_DATASYNC | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE

/** `oflags` (u16). */
export const Oflags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const

/** `fdflags` (u16). */
export const Fdflags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const
export const ALL_FDFLAGS = 31

/** `lookupflags` (u32). */
export const LOOKUP_SYMLINK_FOLLOW = 1

/** `fstflags` (u16). */
export const Fstflags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const

/** `whence` (u8). */
export const Whence = { SET: 0, CUR: 1, END: 2 } as const

/** `advice` (u8): normal … noreuse are 0–5. */
export const MAX_ADVICE = 5

/** `preopentype` (u8). */
export const PREOPENTYPE_DIR = 0

/** Byte sizes of the structs written to memory. */
export const FILESTAT_BYTES = 64
export const FDSTAT_BYTES = 24
export const DIRENT_HEADER_BYTES = 24

/** `filestat`: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u64 @24, size u64 @32, atim @40, mtim @48, ctim @56. */
export interface Filestat {
  dev: bigint
  ino: bigint
  filetype: number
  nlink: bigint
  size: bigint
  atim: bigint
  mtim: bigint
  ctim: bigint
}

export function writeFilestat (view: DataView, at: number, stat: Filestat): void {
  view.setBigUint64(at, stat.dev, true)
  view.setBigUint64(at + 8, stat.ino, true)
  view.setUint8(at + 16, stat.filetype)
  for (let b = 17; b < 24; b++) view.setUint8(at + b, 0)
  view.setBigUint64(at + 24, stat.nlink, true)
  view.setBigUint64(at + 32, stat.size, true)
  view.setBigUint64(at + 40, stat.atim, true)
  view.setBigUint64(at + 48, stat.mtim, true)
  view.setBigUint64(at + 56, stat.ctim, true)
}

/** `fdstat`: fs_filetype u8 @0, fs_flags u16 @2, fs_rights_base u64 @8, fs_rights_inheriting u64 @16. */
export function writeFdstat (view: DataView, at: number, filetype: number, flags: number, base: bigint, inheriting: bigint): void {
  for (let b = 0; b < 8; b++) view.setUint8(at + b, 0)
  view.setUint8(at, filetype)
  view.setUint16(at + 2, flags, true)
  view.setBigUint64(at + 8, base, true)
  view.setBigUint64(at + 16, inheriting, true)
}
