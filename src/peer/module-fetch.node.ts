/**
 * How a Node peer fetches a module named by a string (the `ModuleFetch` of
 * context.ts): an http(s) URL as it is; a `file:` URL or a path to a file
 * that exists, read from disk; a sample id (`lang-detect`) as
 * `samples/<id>.wasm` on the app server; anything else relative to the app
 * server — as a tab resolves `samples/echo.wasm` against its page.
 */
import { readFile, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { ModuleFetch } from './context.ts'

/** A sample's id, as samples.json names it: letters, digits and dashes. */
const SAMPLE_ID = /^[a-z0-9][a-z0-9-]*$/i

export function nodeModuleFetch (server: string | undefined): ModuleFetch {
  return async (ref, init = {}) => {
    init.signal?.throwIfAborted()
    if (/^https?:/i.test(ref)) return await fetch(ref, init)
    const path = ref.startsWith('file:') ? fileURLToPath(ref) : ref
    if (await isFile(path)) return new Response(await readFile(path, init.signal === undefined ? {} : { signal: init.signal }))
    if (ref.startsWith('file:')) return new Response(null, { status: 404 })
    if (server === undefined) throw new RangeError(`no file ${ref} here, and no app server to fetch it from`)
    const base = server.endsWith('/') ? server : `${server}/`
    return await fetch(new URL(SAMPLE_ID.test(ref) ? `samples/${ref}.wasm` : ref, base), init)
  }
}

async function isFile (path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
