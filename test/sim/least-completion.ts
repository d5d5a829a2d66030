/**
 * A reference for the routers, not a router: at dispatch it sees the current
 * queue of every peer (no real peer can) and sends the task along the
 * shortest path to the executor with the least expected completion time —
 * the link delays there and back plus that executor's expected sojourn for
 * one more task, counting the tasks already on their way to it; it plans
 * again only when that path breaks (churn). What it
 * pays in hops for its latency says how many of a router's hops are the price
 * of spreading load and how many are wandering.
 */
import { EventQueue } from './event-queue.ts'
import { DROP } from './strategies.ts'
import type { Strategy, World } from './strategies.ts'

export function leastCompletion (): Strategy {
  let world: World
  let minServiceMs = 0
  let dist = new Float64Array(0)
  let prev = new Int32Array(0)
  let seen = new Int32Array(0)
  let settled = new Int32Array(0)
  let stamp = 0
  /** Tasks planned to an executor and not there yet, by executor. */
  let heading = new Int32Array(0)
  /** The planned path of each task in flight, from the peer that planned it to its executor. */
  const plans = new Map<number, number[]>()

  /**
   * Dijkstra by link delay from `at`, the first hop among `candidates`,
   * stopped once no executor further away can beat the best found (it would
   * cost at least the way there and back plus the fastest service). Returns
   * the path to the best executor (`[at]` to execute here), or undefined.
   */
  const plan = (at: number, cls: number, candidates: readonly number[], capable: boolean): number[] | undefined => {
    const { mesh, alive } = world
    const sojourn = world.expectedSojournMs!
    stamp++
    let best = capable ? at : -1
    let bestCost = capable ? sojourn(at, heading[at]) : Infinity
    const heap = new EventQueue<number>()
    seen[at] = stamp
    settled[at] = stamp
    prev[at] = -1
    const allowed = new Set(candidates)
    const ns = mesh.neighbours[at]!
    for (let i = 0; i < ns.length; i++) {
      const q = ns[i]!
      if (!allowed.has(q)) continue
      seen[q] = stamp
      dist[q] = mesh.linkMs[at]![i]!
      prev[q] = at
      heap.schedule(dist[q]!, q)
    }
    for (let e = heap.next(); e !== undefined; e = heap.next()) {
      if (2 * e.time + minServiceMs >= bestCost) break
      const p = e.item
      if (settled[p] === stamp) continue
      settled[p] = stamp
      if (mesh.capability.canExecute(p, cls)) {
        const cost = 2 * e.time + sojourn(p, heading[p])
        if (cost < bestCost) { bestCost = cost; best = p }
      }
      const ps = mesh.neighbours[p]!
      for (let i = 0; i < ps.length; i++) {
        const q = ps[i]!
        if (!alive[q] || settled[q] === stamp) continue
        const d = e.time + mesh.linkMs[p]![i]!
        if (seen[q] !== stamp || d < dist[q]!) {
          seen[q] = stamp
          dist[q] = d
          prev[q] = p
          heap.schedule(d, q)
        }
      }
    }
    if (best < 0) return undefined
    const path: number[] = []
    for (let p = best; p >= 0; p = prev[p]!) path.push(p)
    return path.reverse()
  }

  return {
    name: 'least-completion',
    start: (w) => {
      if (w.expectedSojournMs === undefined) throw new TypeError('least-completion needs the world\'s expectedSojournMs')
      world = w
      const n = w.mesh.size
      minServiceMs = Math.min(...w.mesh.serviceMs)
      dist = new Float64Array(n)
      prev = new Int32Array(n)
      seen = new Int32Array(n)
      settled = new Int32Array(n)
      heading = new Int32Array(n)
      plans.clear()
    },
    decide: (at, cls, candidates, capable, origin, task) => {
      let path = origin ? undefined : plans.get(task)
      const i = path?.indexOf(at) ?? -1
      let next = path === undefined || i < 0 ? undefined : path[i + 1]
      const onPlan = path !== undefined && i >= 0 && (next === undefined ? capable : candidates.includes(next))
      if (!onPlan) {
        if (path !== undefined) heading[path[path.length - 1]!]!--
        path = plan(at, cls, candidates, capable)
        if (path === undefined) { plans.delete(task); return DROP }
        plans.set(task, path)
        heading[path[path.length - 1]!]!++
        next = path[1]
      }
      if (next === undefined) { plans.delete(task); heading[at]!--; return at }
      return next
    }
  }
}
