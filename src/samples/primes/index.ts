// AssemblyScript sample: counts the primes ≤ N with a sieve of Eratosthenes
// over odd numbers only. N comes from argv[1], or else from stdin.
import { readAllStdin, decodeUtf8, fail } from '../shared/io'

/** Largest N accepted: the odd-only sieve needs N/2 bytes of memory. */
const MAX_N: u64 = 200_000_000
const EXIT_BAD_INPUT = 2

const source = process.argv.length > 1 ? process.argv[1] : decodeUtf8(readAllStdin())
const text = source.trim()

let valid = text.length > 0 && text.length <= 10
let parsed: u64 = 0
for (let i = 0; valid && i < text.length; i++) {
  const c = text.charCodeAt(i)
  if (c < 0x30 || c > 0x39) valid = false
  else parsed = parsed * 10 + <u64>(c - 0x30)
}
if (!valid) fail('primes: expected a non-negative integer N, got "' + text + '"', EXIT_BAD_INPUT)
if (parsed > MAX_N) fail('primes: N must be at most ' + MAX_N.toString(), EXIT_BAD_INPUT)

const n = <i32>parsed
let count = 0
let largest = 0
if (n >= 2) {
  count = 1
  largest = 2
  // composite[i] marks the odd number 2i + 1.
  const size = (n - 1) / 2 + 1
  const composite = new Uint8Array(size)
  for (let i = 1; i < size; i++) {
    if (unchecked(composite[i])) continue
    const p = 2 * i + 1
    count++
    largest = p
    // Start at p² (smaller multiples have a smaller factor); step 2p skips evens.
    const square = <i64>p * p
    if (square > <i64>n) continue
    for (let j = <i32>(square >> 1); j < size; j += p) unchecked(composite[j] = 1)
  }
}

process.stdout.write(
  'n: ' + n.toString() + '\n' +
  'primes: ' + count.toString() + '\n' +
  'largest: ' + (count > 0 ? largest.toString() : 'none') + '\n'
)
