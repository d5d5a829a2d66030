/**
 * Debian's C toolchain for wasm32-wasip1 (clang-14, lld-14, wasi-libc,
 * libclang-rt-14-dev-wasm32) and the stb image headers (libstb-dev), which `npm test` installs when it runs as root
 * (test/run-all.ts). Tests that build C skip without it, except in CI, where
 * its absence is an error rather than a silent skip.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** The clang found on PATH, or undefined. */
export const CLANG = ['clang-14', 'clang'].find(name => {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})

export const HAVE_TOOLCHAIN = CLANG !== undefined && existsSync('/usr/lib/wasm32-wasi/libc.a') && existsSync('/usr/include/stb/stb_image.h')

if (!HAVE_TOOLCHAIN && process.env.CI === 'true') {
  throw new Error('CI needs clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32 and libstb-dev (npm test installs them as root: test/run-all.ts)')
}
