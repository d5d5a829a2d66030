/**
 * Routing strategies compared by the simulation. Each sees the mesh, which
 * peers are up, and the task's class; the sim does the rest (hop limit, loop
 * detection, queues, churn).
 */
import { destinationOf, rankExecutors } from '../../src/orchestration/executor-selection.ts'
import { QRouter } from '../../src/orchestration/routing/index.ts'
import { peerKey, requirementsOf } from './capability.ts'
import type { QRouterOptions } from '../../src/orchestration/routing/index.ts'
import { nearestSource } from './network.ts'
import type { Mesh } from './network.ts'

/** What a strategy may read of the running simulation. */
export interface World {
  readonly mesh: Mesh
  readonly alive: readonly boolean[]
  /** Simulated time in ms. */
  now: () => number
  random: () => number
  /**
   * What a task queued at `peer` now (behind `extra` more tasks) would expect
   * to spend there, queue and execution. No real peer knows this of another;
   * only the least-completion reference reads it.
   */
  expectedSojournMs?: (peer: number, extra?: number) => number
}

/** Returned by `decide` to drop a task (no way on). */
export const DROP = -1

export interface Strategy {
  readonly name: string
  /** Called once before the first task, after the topology is built. */
  start: (world: World) => void
  /**
   * Where peer `at` sends a task of class `cls`: itself (execute locally; only
   * when `capable`), one of `candidates` (live neighbours the task has not
   * visited), or DROP. `origin` is true at the peer the task was submitted on, before its first hop
   * (and again at each dispatch again); `task` numbers the task.
   */
  decide: (at: number, cls: number, candidates: readonly number[], capable: boolean, origin: boolean, task: number) => number
  /**
   * The task just crossed the link from → to (taking `linkMs`) and arrived at
   * live peer `to`, whose options for it are `candidates` (and itself when
   * `capable`); when it has none, or the hop limit is reached, the task is dropped there.
   */
  onHop?: (from: number, to: number, cls: number, linkMs: number, candidates: readonly number[], capable: boolean) => void
  /** Peer `at` queued a task of class `cls` locally and expects it to complete in `expectedMs`. */
  onEnqueue?: (at: number, cls: number, expectedMs: number) => void
  /** A peer left or came back. */
  onTopologyChange?: (peer: number, joined: boolean) => void
}

/** Random walk: execute at the first capable peer, else forward to a random unvisited live neighbour. */
export function randomWalk (): Strategy {
  let world: World
  return {
    name: 'random',
    start: (w) => { world = w },
    decide: (at, _cls, candidates, capable) => {
      if (capable) return at
      if (candidates.length === 0) return DROP
      return candidates[Math.floor(world.random() * candidates.length)]!
    }
  }
}

/**
 * Static shortest paths, recomputed on every topology change and blind to
 * load: `shortest-path` goes to the nearest capable peer by link delay (and
 * is blind to executor speed too); `static-fastest` goes to the peer with the
 * least zero-load completion time (link delays there and back plus its mean
 * execution time), i.e. what warm-started Q-routing starts from, frozen.
 * The tables are recomputed at the first decision after a change, which gives
 * the same decisions as recomputing at every change (under churn at 10,000
 * peers that was 90 % of the run's time, mostly for changes no task saw).
 */
export function shortestPath (kind: 'shortest-path' | 'static-fastest' = 'shortest-path'): Strategy {
  let world: World
  let tables: Array<{ dist: Float64Array, next: Int32Array }> = []
  let stale = true
  const recompute = (): void => {
    stale = false
    const { mesh, alive } = world
    tables = Array.from({ length: mesh.classes }, (_, c) => kind === 'shortest-path'
      ? nearestSource(mesh, alive, mesh.capability.executorsOf(c), () => 0)
      : nearestSource(mesh, alive, mesh.capability.executorsOf(c), (s) => mesh.serviceMs[s]!, 2))
  }
  return {
    name: kind,
    start: (w) => { world = w; recompute() },
    onTopologyChange: () => { stale = true },
    decide: (at, cls, candidates, capable) => {
      if (stale) recompute()
      const table = tables[cls]!
      const next = table.next[at]!
      if (capable && next < 0) return at
      if (next >= 0 && candidates.includes(next)) return next
      if (capable) return at
      // The tree changed under a task in flight: best unvisited neighbour by link + distance.
      let best = DROP
      let bestD = Infinity
      const ns = world.mesh.neighbours[at]!
      for (let i = 0; i < ns.length; i++) {
        const q = ns[i]!
        const d = world.mesh.linkMs[at]![i]! + table.dist[q]!
        if (d < bestD && candidates.includes(q)) { bestD = d; best = q }
      }
      return best
    }
  }
}

export interface QRoutingSimOptions {
  /** Warm-start Q from zero-load estimates exchanged at connection (true) or start every entry at the prior (false). */
  warmStart: boolean
  router?: Omit<QRouterOptions, 'random' | 'now'>
  /** The remaining-time estimate a peer reports when it cannot take the task on (no options left, hop limit). Default 10 000 ms. */
  dropPenaltyMs?: number
  /**
   * How the origin picks an executor within one hop (itself or a neighbour):
   * 'rank-executors' (default) asks the real `rankExecutors` (candidates from a
   * real HnswIndex of its neighbourhood's cards,
   * `matchesRequirements`, ranked by similarity then this peer's router) and
   * sends the task to the best unless the router expects a route further on
   * to be faster; 'q-router' leaves every decision to the router.
   */
  selection?: 'rank-executors' | 'q-router'
  /** Counters of the origin's selections, for reporting. */
  selectionStats?: SelectionStats
}

export interface SelectionStats {
  /** Origin decisions with at least one executor within one hop. */
  asked: number
  /** …where rankExecutors returned a candidate. */
  ranked: number
  /** …and the task went to its best. */
  taken: number
}

/**
 * Q-routing (Boyan & Littman, 1994) with the real QRouter on every peer. The
 * destination is the class; a capable peer lists itself as a "neighbour",
 * whose Q it updates with its own queue's expected sojourn when it queues a
 * task. On each hop x → y, x updates Q_x(c, y) with the link delay plus y's
 * estimate (y's min over its options), as in the paper.
 */
export function qRouting (options: QRoutingSimOptions): Strategy {
  let world: World
  let routers: QRouter[] = []
  const ids: string[] = []
  const classKeys: string[] = []
  const dropPenaltyMs = options.dropPenaltyMs ?? 10_000
  const selection = options.selection ?? 'rank-executors'
  const stats = options.selectionStats ?? { asked: 0, ranked: 0, taken: 0 }
  const make = (): QRouter => new QRouter({ ...options.router, random: world.random, now: world.now })
  /** Peer p's options for class c: itself when capable, then its live neighbours. */
  const optionsOf = (p: number, c: number): string[] => {
    const out: string[] = []
    if (world.mesh.capability.canExecute(p, c)) out.push(ids[p]!)
    for (const q of world.mesh.neighbours[p]!) if (world.alive[q]) out.push(ids[q]!)
    return out
  }
  /**
   * What p learns when its link to neighbour q opens: q's estimate for every
   * class, plus the link delay there and back. As the product's exchange
   * (warm-start/estimate-exchange.ts), q's estimate is taken over its options
   * other than p (split horizon, RFC 2453 §3.4.3).
   */
  const seedFrom = (p: number, i: number): void => {
    const q = world.mesh.neighbours[p]![i]!
    const link = world.mesh.linkMs[p]![i]!
    for (let c = 0; c < world.mesh.classes; c++) {
      const opts = optionsOf(q, c).filter((id) => id !== ids[p])
      if (opts.length === 0) continue
      routers[p]!.seed(classKeys[c]!, ids[q]!, 2 * link + routers[q]!.estimate(classKeys[c]!, opts))
    }
  }
  const seedSelf = (p: number): void => {
    for (let c = 0; c < world.mesh.classes; c++) {
      if (world.mesh.capability.canExecute(p, c)) routers[p]!.seed(classKeys[c]!, ids[p]!, world.mesh.serviceMs[p]!)
    }
  }
  return {
    name: options.warmStart ? 'q-routing' : 'q-routing-cold',
    start: (w) => {
      world = w
      const { mesh } = w
      for (let p = 0; p < mesh.size; p++) ids.push(peerKey(p))
      // The destination a request for class c counts towards, as the real selection names it ('tag:class-c').
      for (let c = 0; c < mesh.classes; c++) classKeys.push(destinationOf(requirementsOf(c)))
      routers = Array.from({ length: mesh.size }, make)
      if (!options.warmStart) return
      // Zero-load estimates, as a distance-vector exchange would converge to
      // them when the mesh forms: the nearest executor by link delay plus its
      // execution time (each peer knows its own speed).
      for (let c = 0; c < mesh.classes; c++) {
        const { dist } = nearestSource(mesh, w.alive, mesh.capability.executorsOf(c), (s) => mesh.serviceMs[s]!, 2)
        for (let p = 0; p < mesh.size; p++) {
          const ns = mesh.neighbours[p]!
          for (let i = 0; i < ns.length; i++) {
            const d = dist[ns[i]!]!
            if (Number.isFinite(d)) routers[p]!.seed(classKeys[c]!, ids[ns[i]!]!, 2 * mesh.linkMs[p]![i]! + d)
          }
        }
      }
      for (let p = 0; p < mesh.size; p++) seedSelf(p)
    },
    decide: (at, cls, candidates, capable, origin) => {
      const opts: string[] = capable ? [ids[at]!] : []
      for (const q of candidates) opts.push(ids[q]!)
      if (opts.length === 0) return DROP
      const cards = world.mesh.cards
      if (origin && selection === 'rank-executors' && cards !== undefined) {
        const reachable = new Set<string>()
        if (capable) reachable.add(ids[at]!)
        for (const q of candidates) if (cards.canExecute(q, cls)) reachable.add(ids[q]!)
        if (reachable.size > 0) {
          stats.asked++
          const ranked = rankExecutors({
            requirements: requirementsOf(cls), card: (id) => cards.card(id), index: cards.neighbourhoodIndex(at, world.mesh.neighbours[at]!), router: routers[at]!, reachable
          })
          const best = ranked[0]
          if (best !== undefined) {
            stats.ranked++
            if (best.expectedMs <= routers[at]!.estimate(classKeys[cls]!, opts)) {
              stats.taken++
              return Number(best.peerId.slice(1))
            }
          }
        }
      }
      const pick = routers[at]!.choose(classKeys[cls]!, opts)
      return Number(pick.slice(1))
    },
    onHop: (from, to, cls, linkMs, candidates, capable) => {
      // y's estimate t for this task: over the options it really has (not back
      // to where the task has been), so a peer that leads into a dead end or a
      // loop is learnt to be expensive; a peer with none reports a penalty.
      const opts: string[] = capable ? [ids[to]!] : []
      for (const q of candidates) opts.push(ids[q]!)
      const t = opts.length === 0 ? dropPenaltyMs : routers[to]!.estimate(classKeys[cls]!, opts)
      // The result comes back over the same link, so the hop costs the link twice.
      routers[from]!.update(classKeys[cls]!, ids[to]!, 2 * linkMs, t)
    },
    onEnqueue: (at, cls, expectedMs) => {
      routers[at]!.update(classKeys[cls]!, ids[at]!, expectedMs, 0)
    },
    onTopologyChange: (peer, joined) => {
      if (!joined) return
      // A tab that comes back has lost its table (a reload): it starts afresh,
      // warm-started from its neighbours, and they from it.
      routers[peer] = make()
      if (!options.warmStart) return
      seedSelf(peer)
      const ns = world.mesh.neighbours[peer]!
      for (let i = 0; i < ns.length; i++) if (world.alive[ns[i]!]) seedFrom(peer, i)
      for (let i = 0; i < ns.length; i++) {
        const q = ns[i]!
        if (!world.alive[q]) continue
        const back = world.mesh.neighbours[q]!.indexOf(peer)
        seedFrom(q, back)
      }
    }
  }
}
