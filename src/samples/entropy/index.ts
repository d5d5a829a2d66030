// AssemblyScript sample: prints random bytes, the time and a few dice rolls.
// The sandbox derives the clock and random source from the task's seed, so
// the output is the same on every executor for the same seed: a task can use
// randomness and still be verified by running it again elsewhere.

const bytes = new Uint8Array(16)
crypto.getRandomValues(bytes)
let hex = ''
for (let i = 0; i < bytes.length; i++) hex += (<i32>bytes[i]).toString(16).padStart(2, '0')

let rolls = ''
for (let i = 0; i < 8; i++) rolls += (i > 0 ? ' ' : '') + (<i32>Math.floor(Math.random() * 6) + 1).toString()

const started = performance.now()
let spins = 0
while (performance.now() - started < 1.0) spins++ // one virtual millisecond: 1000 clock reads

process.stdout.write('random: ' + hex + '\n')
process.stdout.write('dice: ' + rolls + '\n')
process.stdout.write('time: ' + new Date(Date.now()).toISOString() + '\n')
process.stdout.write('clock reads per ms: ' + spins.toString() + '\n')
