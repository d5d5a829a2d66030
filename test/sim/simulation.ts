/**
 * One run of the discrete-event simulation: Poisson arrivals at random peers,
 * hop-by-hop routing by a strategy, FIFO executor queues with worker slots,
 * and churn (peers leave, dropping their queues, and come back later).
 *
 * Arrivals, task sizes and churn come from their own seeded streams, so every
 * strategy sees exactly the same workload and the same churn.
 *
 * No task is given up while its origin can still act: a task whose route hits
 * the hop limit or a dead end, or whose executor leaves (queued, running, or
 * with the link to it gone), is reported back to its origin, which dispatches
 * it again after the real dispatch's backoff (`busyBackoffMs` of
 * src/orchestration/dispatch, from its constants: 250 ms doubling to 4 s,
 * ±50 %), at most REDISPATCH_LIMIT times. An origin that is away
 * (a reloaded tab) dispatches its unfinished tasks again when it is back, as a
 * workflow run resumes from its record; so does one whose result came back
 * while it was away.
 */
import { BUSY_RETRY_FIRST_DELAY_MS, BUSY_RETRY_MAX_DELAY_MS } from '../../src/orchestration/dispatch/constants.ts'
import { EventQueue } from './event-queue.ts'
import { exponential, stream } from './rng.ts'
import type { Mesh } from './network.ts'
import { DROP } from './strategies.ts'
import type { Strategy, World } from './strategies.ts'

export interface RunConfig {
  seed: number
  /** Offered load as a share of the mesh's execution capacity. */
  load: number
  /** Share of peers that leave (and later rejoin) per simulated minute. */
  churn: number
  tasks: number
  hopLimit: number
  /** Mean time a peer that left stays away, ms. */
  meanDowntimeMs: number
  /** Stop (counting unfinished tasks as not delivered) after this much wall time, ms. */
  wallBudgetMs: number
}

/** Most times an origin dispatches one task again before counting it lost. */
export const REDISPATCH_LIMIT = 10

/**
 * The real dispatch's `busyBackoffMs` (src/orchestration/dispatch/task-dispatch.ts),
 * rebuilt from its constants: importing the dispatch module would pull in the
 * generated protocol code, which Node's type stripping cannot run.
 */
function backoffMs (attempt: number, random: () => number): number {
  return Math.round(Math.min(BUSY_RETRY_MAX_DELAY_MS, BUSY_RETRY_FIRST_DELAY_MS * 2 ** attempt) * (0.5 + random()))
}

export interface RunResult {
  strategy: string
  load: number
  churn: number
  arrived: number
  completed: number
  /** Completion times (ms, arrival at the first peer to the result back there) of completed tasks, in task order. */
  times: Float64Array
  /** Mean completion time over the second half of the tasks (after learning). */
  meanLateMs: number
  meanHops: number
  /**
   * Mean hops of the completed tasks in each quarter of the run, by arrival
   * order: whether routes lengthen as the routers' tables age (stale or
   * untried estimates) rather than only on average.
   */
  hopsByQuarter: number[]
  /** Mean completion time (ms) in each quarter of the run, by arrival order. */
  msByQuarter: number[]
  /** Routes that hit the hop limit, hit a dead end, or lost their executor (or the link to it) to churn; each was dispatched again. */
  droppedHopLimit: number
  droppedDeadEnd: number
  lostToChurn: number
  /** Tasks dispatched again at least once, and dispatches again in all. */
  redispatchedTasks: number
  redispatches: number
  /** Tasks not completed: given up after REDISPATCH_LIMIT dispatches again (`gaveUp`), or unfinished when the run stopped. */
  lost: number
  gaveUp: number
  rerouted: number
  stoppedEarly: boolean
  simulatedMs: number
  wallMs: number
}

interface Task {
  id: number
  cls: number
  arrivedAt: number
  /** Work in units of the executor's mean service time (exponential, mean 1). */
  work: number
  visited: number[]
  /** Sum of link delays crossed; the result returns the same way. */
  pathMs: number
  /** Peer the task is at or executing on. */
  at: number
  /** Peer it was submitted on: the one that dispatches it again. */
  origin: number
  /** Times it was dispatched again. */
  attempts: number
}

type Ev =
  | { kind: 'arrival' }
  | { kind: 'hop', task: Task, from: number, to: number, linkMs: number }
  | { kind: 'done', task: Task, peer: number, epoch: number }
  | { kind: 'leave' }
  | { kind: 'join', peer: number }
  | { kind: 'redispatch', task: Task }

export function simulate (mesh: Mesh, strategy: Strategy, config: RunConfig): RunResult {
  const wallStart = performance.now()
  mesh.capability.reset?.()
  const arrivals = stream(config.seed, 'arrivals')
  const churnRng = stream(config.seed, 'churn')
  const queue = new EventQueue<Ev>()
  const n = mesh.size
  const alive = new Array<boolean>(n).fill(true)
  const epoch = new Int32Array(n)
  const busy = new Int32Array(n)
  const waiting: Task[][] = Array.from({ length: n }, () => [])
  const running: Task[][] = Array.from({ length: n }, () => [])
  /** Tasks whose origin is away, to dispatch again when it is back. */
  const parked: Task[][] = Array.from({ length: n }, () => [])
  const backoffRng = stream(config.seed, 'redispatch')
  const head = new Int32Array(n)
  const completedAt = new Float64Array(config.tasks).fill(NaN)
  const hopsOf = new Float64Array(config.tasks).fill(NaN)
  /** Expected sojourn of one more task queued at p (behind `extra` more): the tasks ahead drain over its slots, then it runs. */
  const expectedSojournMs = (p: number, extra = 0): number => {
    const ahead = busy[p]! + waiting[p]!.length - head[p]! + extra
    const slots = mesh.slots[p]!
    const service = mesh.serviceMs[p]!
    return Math.max(0, ahead - slots + 1) * service / slots + service
  }
  const world: World = { mesh, alive, now: () => queue.now, random: stream(config.seed, `strategy:${strategy.name}`), expectedSojournMs }
  const meanGapMs = 1000 / (config.load * mesh.capacityPerSecond)
  const leaveGapMs = config.churn > 0 ? 60_000 / (config.churn * n) : Infinity
  let arrived = 0
  let inFlight = 0
  let completed = 0
  let hopsSum = 0
  let droppedHopLimit = 0
  let droppedDeadEnd = 0
  let lostToChurn = 0
  let redispatchedTasks = 0
  let redispatches = 0
  let gaveUp = 0
  let rerouted = 0
  let stoppedEarly = false

  const pickClass = (): number => {
    let u = arrivals()
    for (let c = 0; c < mesh.classes; c++) {
      u -= mesh.classWeights[c]!
      if (u < 0) return c
    }
    return mesh.classes - 1
  }
  const complete = (task: Task): void => {
    inFlight--
    completed++
    hopsSum += task.visited.length - 1
    hopsOf[task.id] = task.visited.length - 1
    completedAt[task.id] = queue.now - task.arrivedAt + task.pathMs
  }
  /**
   * The task's route failed: the origin hears of it once the failure has come
   * back along the path (`task.pathMs`) and dispatches it again after a backoff.
   */
  const fail = (task: Task, why: 'hop' | 'dead-end' | 'churn'): void => {
    if (why === 'hop') droppedHopLimit++
    else if (why === 'dead-end') droppedDeadEnd++
    else lostToChurn++
    if (task.attempts >= REDISPATCH_LIMIT) {
      inFlight--
      gaveUp++
      return
    }
    if (task.attempts === 0) redispatchedTasks++
    redispatches++
    const backoff = backoffMs(task.attempts, backoffRng)
    task.attempts++
    queue.schedule(queue.now + task.pathMs + backoff, { kind: 'redispatch', task })
  }
  /** The origin dispatches `task` again from scratch, or keeps it until it is back. */
  const dispatchAgain = (task: Task): void => {
    if (!alive[task.origin]) { parked[task.origin]!.push(task); return }
    task.visited.length = 1
    task.visited[0] = task.origin
    task.pathMs = 0
    route(task.origin, task, -1, 0)
  }
  const startWork = (p: number, task: Task): void => {
    busy[p]!++
    running[p]!.push(task)
    queue.schedule(queue.now + task.work * mesh.serviceMs[p]!, { kind: 'done', task, peer: p, epoch: epoch[p]! })
  }
  const enqueue = (p: number, task: Task): void => {
    strategy.onEnqueue?.(p, task.cls, expectedSojournMs(p))
    if (busy[p]! < mesh.slots[p]!) startWork(p, task)
    else waiting[p]!.push(task)
  }
  /** The task is at live peer p, coming from `from` over a link of `linkMs` (from = -1 at its origin): execute it there or send it on. */
  const route = (p: number, task: Task, from: number, linkMs: number): void => {
    task.at = p
    const capable = mesh.capability.canExecute(p, task.cls)
    const candidates: number[] = []
    if (task.visited.length <= config.hopLimit) {
      for (const q of mesh.neighbours[p]!) if (alive[q] && !task.visited.includes(q)) candidates.push(q)
      // The last hop allowed must reach an executor (neighbours' capabilities are known from discovery).
      if (task.visited.length === config.hopLimit && candidates.some((q) => mesh.capability.canExecute(q, task.cls))) {
        const capableOnly = candidates.filter((q) => mesh.capability.canExecute(q, task.cls))
        candidates.length = 0
        candidates.push(...capableOnly)
      }
    }
    if (from >= 0) strategy.onHop?.(from, p, task.cls, linkMs, candidates, capable)
    if (task.visited.length > config.hopLimit) {
      if (capable) enqueue(p, task)
      else fail(task, 'hop')
      return
    }
    const to = strategy.decide(p, task.cls, candidates, capable, from < 0 && task.visited.length === 1, task.id)
    if (to === DROP) fail(task, 'dead-end')
    else if (to === p) enqueue(p, task)
    else {
      const linkMs = mesh.linkMs[p]![mesh.neighbours[p]!.indexOf(to)]!
      queue.schedule(queue.now + linkMs, { kind: 'hop', task, from: p, to, linkMs })
    }
  }

  queue.schedule(exponential(arrivals, meanGapMs), { kind: 'arrival' })
  if (Number.isFinite(leaveGapMs)) queue.schedule(exponential(churnRng, leaveGapMs), { kind: 'leave' })
  strategy.start(world)

  let events = 0
  for (let e = queue.next(); e !== undefined; e = queue.next()) {
    if ((++events & 4095) === 0 && performance.now() - wallStart > config.wallBudgetMs) {
      stoppedEarly = true
      break
    }
    const ev = e.item
    switch (ev.kind) {
      case 'arrival': {
        const origin = Math.floor(arrivals() * n)
        const task: Task = { id: arrived, cls: pickClass(), arrivedAt: queue.now, work: exponential(arrivals, 1), visited: [origin], pathMs: 0, at: origin, origin, attempts: 0 }
        arrived++
        inFlight++
        if (arrived < config.tasks) queue.schedule(queue.now + exponential(arrivals, meanGapMs), { kind: 'arrival' })
        // A task submitted on a tab that is away goes to the next live peer.
        let o = origin
        while (!alive[o]) o = (o + 1) % n
        task.visited[0] = o
        task.origin = o
        route(o, task, -1, 0)
        break
      }
      case 'hop': {
        const { task, from, to } = ev
        task.visited.push(to)
        task.pathMs += ev.linkMs
        if (alive[to]) {
          route(to, task, from, ev.linkMs)
        } else if (alive[from]) {
          // The connection failed: the sender notices and routes again (the dead peer stays in `visited`).
          rerouted++
          task.pathMs += ev.linkMs
          route(from, task, -1, 0)
        } else {
          // Both ends are gone: the origin hears the stream die.
          fail(task, 'churn')
        }
        break
      }
      case 'done': {
        if (ev.epoch !== epoch[ev.peer]) break // the peer left meanwhile; already counted as lost
        busy[ev.peer]!--
        const run = running[ev.peer]!
        run.splice(run.indexOf(ev.task), 1)
        // The result goes back to the origin; one that is away hears nothing and dispatches the task again when back.
        if (alive[ev.task.origin]) complete(ev.task)
        else parked[ev.task.origin]!.push(ev.task)
        const w = waiting[ev.peer]!
        if (head[ev.peer]! < w.length) {
          const next = w[head[ev.peer]!]!
          head[ev.peer]!++
          if (head[ev.peer]! > 1024 && head[ev.peer]! * 2 > w.length) { w.splice(0, head[ev.peer]!); head[ev.peer] = 0 }
          startWork(ev.peer, next)
        }
        break
      }
      case 'leave': {
        if (arrived >= config.tasks && inFlight === 0) break
        queue.schedule(queue.now + exponential(churnRng, leaveGapMs), { kind: 'leave' })
        const p = Math.floor(churnRng() * n)
        if (!alive[p]) break
        alive[p] = false
        epoch[p]!++
        const dropped = [...running[p]!, ...waiting[p]!.slice(head[p]!)]
        busy[p] = 0
        running[p] = []
        waiting[p] = []
        head[p] = 0
        for (const task of dropped) fail(task, 'churn')
        queue.schedule(queue.now + exponential(churnRng, config.meanDowntimeMs), { kind: 'join', peer: p })
        mesh.capability.leave?.(p)
        strategy.onTopologyChange?.(p, false)
        break
      }
      case 'join': {
        alive[ev.peer] = true
        mesh.capability.join?.(ev.peer)
        strategy.onTopologyChange?.(ev.peer, true)
        const resumed = parked[ev.peer]!
        parked[ev.peer] = []
        for (const task of resumed) dispatchAgain(task)
        break
      }
      case 'redispatch': {
        dispatchAgain(ev.task)
        break
      }
    }
    if (arrived >= config.tasks && inFlight === 0) break
  }

  const times = completedAt.filter((t) => !Number.isNaN(t))
  const late = completedAt.subarray(Math.floor(config.tasks / 2)).filter((t) => !Number.isNaN(t))
  return {
    strategy: strategy.name,
    load: config.load,
    churn: config.churn,
    arrived,
    completed,
    times,
    meanLateMs: mean(late),
    meanHops: completed > 0 ? hopsSum / completed : NaN,
    hopsByQuarter: byQuarter(hopsOf),
    msByQuarter: byQuarter(completedAt),
    droppedHopLimit,
    droppedDeadEnd,
    lostToChurn,
    redispatchedTasks,
    redispatches,
    lost: arrived - completed,
    gaveUp,
    rerouted,
    stoppedEarly,
    simulatedMs: queue.now,
    wallMs: performance.now() - wallStart
  }
}

/** Mean of the non-NaN values in each quarter of `xs` (indexed by task, i.e. by arrival). */
function byQuarter (xs: Float64Array): number[] {
  return [0, 1, 2, 3].map((k) => mean(xs.subarray(Math.floor(k * xs.length / 4), Math.floor((k + 1) * xs.length / 4)).filter((x) => !Number.isNaN(x))))
}

export function mean (xs: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < xs.length; i++) s += xs[i]!
  return xs.length > 0 ? s / xs.length : NaN
}

export function percentile (xs: Float64Array, p: number): number {
  if (xs.length === 0) return NaN
  const sorted = Float64Array.from(xs).sort()
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}
