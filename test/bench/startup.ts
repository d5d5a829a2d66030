/**
 * npm run bench:startup — page open → peer ready in real Chromium: each
 * round opens the app in a fresh browser context (a first visit: no
 * identity, empty IndexedDB) and then reloads it (a return visit), and reads
 * the start-up marks the app leaves in the Performance timeline
 * (`zerostate:*`, ms since navigation start): identity loaded, relay list
 * read, libp2p node started, Agent Card published, `ready` (the peer
 * composed), `online` (a relay reservation: other tabs can reach it).
 * Prints the median of each, per visit kind. Not a test: nothing is asserted.
 *
 * Usage: npm run bench:startup [-- --rounds 8]
 */
import { parseArgs } from 'node:util'
import { canIsolateNetwork, runInLoopbackNamespace } from '../support/loopback-namespace.ts'
import { startHarness, waitOnline } from '../e2e/harness.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '8' } } })
const rounds = Number(values.rounds)
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new RangeError('--rounds must be 1–50')

if (canIsolateNetwork()) {
  process.exit(runInLoopbackNamespace(process.execPath, [...process.execArgv, import.meta.filename, '--rounds', String(rounds)], process.cwd()))
}

const MARKS = ['zerostate:identity', 'zerostate:relay-list', 'zerostate:node-started', 'zerostate:card-published', 'zerostate:ready', 'zerostate:online']
type Timings = Record<string, number>

const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN

const harness = await startHarness()
try {
  // One tab already in the mesh, as there would be.
  await harness.openPeer()
  const first: Timings[] = []
  const again: Timings[] = []
  const read = async (page: import('playwright-core').Page): Promise<Timings> => {
    await waitOnline(page)
    await page.waitForFunction((name) => performance.getEntriesByName(name).length > 0, 'zerostate:online', { timeout: 30_000, polling: 20 })
    return page.evaluate((marks) => Object.fromEntries(marks.map(name => [name, performance.getEntriesByName(name)[0]?.startTime ?? NaN])), MARKS)
  }
  for (let round = 0; round < rounds; round++) {
    const { page, context } = await harness.openPeer()
    first.push(await read(page))
    await page.reload()
    again.push(await read(page))
    await context.close()
  }
  for (const [kind, samples] of [['first visit', first], ['return visit (reload)', again]] as const) {
    console.log(`\n${kind}, median of ${samples.length} (ms since navigation start):`)
    for (const name of MARKS) console.log(`  ${name.replace('zerostate:', '').padEnd(16)} ${median(samples.map(s => s[name] ?? NaN)).toFixed(0).padStart(6)}`)
  }
  console.log(`\npage open → peer ready (online): first visit ${median(first.map(s => s['zerostate:online'] ?? NaN)).toFixed(0)} ms, return visit ${median(again.map(s => s['zerostate:online'] ?? NaN)).toFixed(0)} ms (goal ≤ 1500 ms)`)
} finally {
  await harness.close()
}
