/**
 * npm run sim — compares task routing strategies on a simulated mesh:
 * Q-routing (Boyan & Littman, 1994) with the real QRouter (warm-started and
 * cold), a random walk, and static load-blind shortest paths (by link delay;
 * by zero-load completion time), on the same seed, arrivals and churn; on
 * request (slow: 3–5 min at 10,000 peers and load 0.9, past the default
 * --budget), least-completion, a reference that sees every queue
 * (least-completion.ts).
 *
 * Usage: npm run sim -- [--peers 1000] [--load 0.3,0.6,0.9] [--churn 0,0.05] [--seed 1] [--tasks 20000]
 *                       [--strategies q-routing,q-routing-cold,random,shortest-path,static-fastest[,least-completion]] [--budget 110]
 *                       [--capability cards|static] [--selection rank-executors|q-router]
 *
 * Columns: delivered = completed / arrived; re-dispatched = tasks dispatched
 * again by their origin at least once / dispatches again in all (after a route
 * hit the hop limit or a dead end, or churn took its executor or the link to
 * it; counted in hop-limit, dead-end and churn); lost = not completed (given up
 * after REDISPATCH_LIMIT, or unfinished when a run was stopped by --budget);
 * ms and hops by quarter = the means over each quarter of the tasks, by
 * arrival (a run's arrivals last only tasks / (load × capacity): 0.3 s at
 * 10,000 peers and load 0.9, 2.8 s at 1,000, so the queues build through it).
 *
 * Who can execute a class is found by the real HNSW index over the peers'
 * Agent Cards (capability.ts), and the Q-routing origins choose among the
 * executors within one hop with the real rankExecutors; `--capability static`
 * and `--selection q-router` give the earlier stand-ins, for comparison.
 */
import { parseArgs } from 'node:util'
import { buildMesh, DEFAULT_MESH } from './network.ts'
import { stream } from './rng.ts'
import { mean, percentile, simulate } from './simulation.ts'
import type { RunResult } from './simulation.ts'
import { leastCompletion } from './least-completion.ts'
import { qRouting, randomWalk, shortestPath } from './strategies.ts'
import type { SelectionStats, Strategy } from './strategies.ts'

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '1000' },
    load: { type: 'string', default: '0.3,0.6,0.9' },
    churn: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    tasks: { type: 'string', default: '20000' },
    'hop-limit': { type: 'string', default: '12' },
    strategies: { type: 'string', default: 'q-routing,q-routing-cold,random,shortest-path,static-fastest' },
    budget: { type: 'string', default: '110' },
    capability: { type: 'string', default: 'cards' },
    selection: { type: 'string', default: 'rank-executors' }
  }
})

const list = (s: string): number[] => s.split(',').map(Number)
const peers = Number(values.peers)
const loads = list(values.load)
const churns = list(values.churn)
const seed = Number(values.seed)
const tasks = Number(values.tasks)
const names = values.strategies.split(',')
if (values.capability !== 'cards' && values.capability !== 'static') throw new RangeError('--capability is cards or static')
if (values.selection !== 'rank-executors' && values.selection !== 'q-router') throw new RangeError('--selection is rank-executors or q-router')
const selection = values.selection
let selectionStats: SelectionStats = { asked: 0, ranked: 0, taken: 0 }
const makers: Record<string, () => Strategy> = {
  'q-routing': () => qRouting({ warmStart: true, router: ROUTER, selection, selectionStats }),
  'q-routing-cold': () => qRouting({ warmStart: false, router: ROUTER, selection, selectionStats }),
  random: randomWalk,
  'shortest-path': () => shortestPath('shortest-path'),
  'static-fastest': () => shortestPath('static-fastest'),
  'least-completion': leastCompletion
}
/**
 * Router settings for the simulation: each peer sees a few hundred updates in
 * a run, so ε decays over ~100 updates rather than the library's 1000.
 */
const ROUTER = { explorationStart: 0.05, explorationFloor: 0.005, explorationDecayUpdates: 100 }

for (const x of [peers, seed, tasks, ...loads, ...churns]) if (!Number.isFinite(x) || x < 0) throw new RangeError('bad numeric argument')
for (const name of names) if (makers[name] === undefined) throw new RangeError(`unknown strategy ${name}`)

const wallStart = performance.now()
const mesh = buildMesh({ ...DEFAULT_MESH, peers, capability: values.capability }, stream(seed, 'topology'))
const runs = loads.length * churns.length * names.length
const budgetMs = Number(values.budget) * 1000
const degrees = mesh.neighbours.map((ns) => ns.length)
console.log(`mesh: ${peers} peers, degree ${Math.min(...degrees)}–${Math.max(...degrees)} (mean ${mean(degrees).toFixed(1)}), ` +
  `${mesh.classes} classes (${mesh.classWeights.map((_, c) => mesh.capability.executorsOf(c).length).join('/')} executors), ` +
  `capacity ${mesh.capacityPerSecond.toFixed(0)} tasks/s; seed ${seed}, ${tasks} tasks per run, hop limit ${values['hop-limit']}`)

if (mesh.cards !== undefined) {
  // The index search is checked against what the cards state.
  let found = 0
  let stated = 0
  for (let c = 0; c < mesh.classes; c++) {
    const truth = mesh.cards.cards.filter((card) => card.skills.some((s) => s.tags.includes(`class-${c}`))).length
    stated += truth
    found += mesh.capability.executorsOf(c).length
  }
  console.log(`capability: real HnswIndex (src/discovery/hnsw) over real capabilityVector of ${mesh.size} Agent Cards, ` +
    `executors found by real queryVector + matchesRequirements (${found}/${stated} stated executors found); ` +
    (selection === 'rank-executors'
      ? 'origin executor choice in q-routing by real rankExecutors (src/orchestration/executor-selection.ts)'
      : 'origin executor choice by the QRouter alone'))
} else {
  console.log('capability: static table (stand-in), origin executor choice by the QRouter alone')
}

const rows: RunResult[] = []
const header = ['churn', 'load', 'strategy', 'mean ms', '2nd-half ms', 'ms by quarter', 'p99 ms', 'delivered', 're-dispatched', 'lost', 'hops', 'hops by quarter', 'hop-limit', 'dead-end', 'churn', 'rerouted', 'sim s', 'wall s', 'rank taken/ranked/asked']
const table: string[][] = [header]
for (const churn of churns) {
  for (const load of loads) {
    for (const name of names) {
      // A run may use what is left of the budget, less a second for each run after it: the bound
      // stops a run that cannot finish, not one that is slower than the average (the first
      // q-routing run also builds every origin's neighbourhood index, which later runs reuse).
      const elapsed = performance.now() - wallStart
      const left = Math.max(1000, budgetMs - elapsed - 1000 * (runs - rows.length - 1))
      selectionStats = { asked: 0, ranked: 0, taken: 0 }
      const r = simulate(mesh, makers[name]!(), {
        seed, load, churn, tasks, hopLimit: Number(values['hop-limit']), meanDowntimeMs: 30_000, wallBudgetMs: left
      })
      rows.push(r)
      table.push([
        String(churn), String(load), r.strategy + (r.stoppedEarly ? ' (stopped)' : ''),
        mean(r.times).toFixed(0), r.meanLateMs.toFixed(0), r.msByQuarter.map((x) => x.toFixed(0)).join('/'), percentile(r.times, 0.99).toFixed(0),
        `${(100 * r.completed / r.arrived).toFixed(1)}%`, `${r.redispatchedTasks}/${r.redispatches}`, String(r.lost), r.meanHops.toFixed(2), r.hopsByQuarter.map((h) => h.toFixed(1)).join('/'),
        String(r.droppedHopLimit), String(r.droppedDeadEnd), String(r.lostToChurn), String(r.rerouted),
        (r.simulatedMs / 1000).toFixed(1), (r.wallMs / 1000).toFixed(2),
        selectionStats.asked > 0 ? `${selectionStats.taken}/${selectionStats.ranked}/${selectionStats.asked}` : ''
      ])
    }
  }
}
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
for (const [k, row] of table.entries()) {
  console.log(row.map((cell, i) => i === 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join('  '))
  if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}
if (mesh.cards !== undefined) {
  const { searches, stated, found, minRecall } = mesh.cards.stats
  console.log(`capability search over all runs (peers leaving and rejoining the index): ${searches} searches found ` +
    `${found}/${stated} live stated executors (${(100 * found / Math.max(1, stated)).toFixed(2)}%), worst search ${(100 * minRecall).toFixed(2)}%`)
}
console.log(`wall time ${((performance.now() - wallStart) / 1000).toFixed(1)} s for ${rows.length} runs`)
