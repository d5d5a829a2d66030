/**
 * The directory a Node peer keeps its state in (`~/.zerostate/` unless told
 * otherwise): where it is, the `lock` file naming the process that holds it,
 * and `identity.key`, the peer's secret seed, readable by its owner only.
 */
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { nameError } from '../core/index.ts'
import { checkSeed } from './checks.ts'

/** Thrown when another process (or another store in this one) has the directory open. */
export class StoreLockedError extends Error {
  static { nameError(this, 'StoreLockedError') }
}

/** Thrown when identity.key holds anything but a 32-byte seed: a new identity must never silently replace it. */
export class IdentityFileError extends Error {
  static { nameError(this, 'IdentityFileError') }
}

export const LOCK_FILE = 'lock'
export const IDENTITY_FILE = 'identity.key'

/** `$ZEROSTATE_HOME` when set and not empty, else `~/.zerostate`; absolute either way. */
export function defaultStoreDir (env: Record<string, string | undefined> = process.env): string {
  const home = env.ZEROSTATE_HOME
  return home !== undefined && home !== '' ? resolve(home) : join(homedir(), '.zerostate')
}

/** Creates `dir` (and its parents) if missing; a new directory is its owner's only. */
export function makeStoreDir (dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
}

/** The pid written in `dir`'s lock file, if it holds one. */
export function lockHolder (dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, LOCK_FILE), 'utf8').trim())
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/** Names this process in `dir`'s lock file (replacing what a dead holder left there). */
export function writeLockFile (dir: string): void {
  writeFileSync(join(dir, LOCK_FILE), `${process.pid}\n`, { mode: 0o644 })
}

/** Removes `dir`'s lock file if it still names this process. */
export function removeLockFile (dir: string): void {
  if (lockHolder(dir) === process.pid) rmSync(join(dir, LOCK_FILE), { force: true })
}

export function lockedMessage (dir: string): string {
  const pid = lockHolder(dir)
  if (pid === undefined) return `${dir} is in use by another process`
  return `${dir} is in use by process ${pid}${pid === process.pid ? ' (this one: close its other store first)' : ''}`
}

/** The seed in `dir`/identity.key; undefined when there is no such file. */
export function readIdentityFile (dir: string): Uint8Array | undefined {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(join(dir, IDENTITY_FILE))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  if (bytes.length !== 32) throw new IdentityFileError(`${join(dir, IDENTITY_FILE)} holds ${bytes.length} bytes, not a 32-byte Ed25519 seed`)
  return Uint8Array.from(bytes)
}

/**
 * Writes `seed` to `dir`/identity.key, mode 0600: to a temporary file first,
 * synced, then renamed over the old one, so a crash leaves the old seed or
 * the new one and never a torn file.
 */
export function writeIdentityFile (dir: string, seed: Uint8Array): void {
  checkSeed(seed)
  const file = join(dir, IDENTITY_FILE)
  const temporary = `${file}.${process.pid}.tmp`
  const fd = openSync(temporary, 'w', 0o600)
  try {
    // A temporary file left by an earlier crash keeps its mode: set it again.
    fchmodSync(fd, 0o600)
    writeSync(fd, seed)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, file)
  syncDir(dir)
}

/** Makes a rename in `dir` durable (POSIX: the directory entry is the directory's data). */
function syncDir (dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Not every platform lets a directory be opened or synced (Windows); the rename has happened either way.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
