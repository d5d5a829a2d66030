/**
 * A map job from Node: the language of every line of a text file, detected by
 * the lang-detect workload across the mesh (tabs and Node peers that
 * contribute), with progress on stderr and one JSON line per input line on
 * stdout — in input order, whichever executor ran it.
 *
 *   npm start                                  # in another terminal: the app server and a relay
 *   npx zerostate contribute --slots 2         # and at least one executor (or a tab with Contribute on)
 *   npx node --experimental-transform-types examples/map-job.ts --file lines.txt [--server URL] [--dir DIR] [--executors N]
 *
 * (`npx node` runs the Node this project pins; `import … from 'zerostate'` is
 * this package, resolved through its own package.json `exports`.)
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { connect, type JobEvent, type JobItemResult, type JobRunStatus } from 'zerostate'

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'http://127.0.0.1:8080' },
    file: { type: 'string' },
    // The peer's state (identity, receipts, channels); one process per directory.
    dir: { type: 'string' },
    // Wait for this many contributing peers before starting, so the job spreads over them.
    executors: { type: 'string', default: '1' },
    slice: { type: 'string', default: '25' }
  }
})
if (values.file === undefined) throw new TypeError('--file FILE is required: a text file, one input per line')

const lines = (await readFile(values.file, 'utf8')).split('\n').map(line => line.replace(/\r$/, '')).filter(line => line !== '')
const mesh = await connect({ server: values.server, ...(values.dir === undefined ? {} : { dir: values.dir }) })
try {
  console.error(`peer ${mesh.peerId}; waiting for ${values.executors} executor(s)…`)
  await mesh.waitForExecutors(Number(values.executors))
  const job = await mesh.job({
    module: 'lang-detect', // a sample id: samples/lang-detect.wasm on the server (a path to a .wasm file works too)
    inputs: lines, // one input per line; `sliceSize` lines go to each task as its stdin
    args: ['--lines'], // lang-detect prints one JSON line per input line: its top languages
    sliceSize: Number(values.slice),
    timeoutMs: 30_000
  })
  job.addEventListener('status', event => {
    const s = (event as JobEvent<JobRunStatus>).detail
    console.error(`${s.state}: ${s.computed}/${s.total} slices done, ${s.running} running, ${s.retries} retries, ${s.spent} µ spent`)
  })
  // Results are released in input order; results() resolves with all of them once the job is over.
  const results: JobItemResult[] = await job.results()
  for (const result of results) {
    console.log(JSON.stringify({ index: result.index, line: lines[result.index], output: result.output, executor: result.executor, error: result.error }))
  }
  console.error(`${results.length} lines on ${new Set(results.map(r => r.executor)).size} executor(s)`)
} finally {
  await mesh.close()
}
// The WebRTC transport's native threads outlive close(): leave explicitly, as `zerostate contribute` does.
process.exit()
