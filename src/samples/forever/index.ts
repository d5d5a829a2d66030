// AssemblyScript sample: never ends, to show that the host's timeout kills it.
// The loop writes to linear memory on every turn: an observable side effect
// that Binaryen's optimiser must keep, unlike an empty loop body.

process.stderr.write('forever: spinning until the host stops me\n')
const cell = memory.data(4)
let x: u32 = 1
while (true) {
  // xorshift32 (Marsaglia 2003): cheap, and never reaches a fixed point from x ≠ 0.
  x ^= x << 13
  x ^= x >> 17
  x ^= x << 5
  store<u32>(cell, x)
}
