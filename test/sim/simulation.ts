/**
 * One run of the discrete-event simulation: Poisson arrivals at random peers,
 * hop-by-hop routing by a strategy, FIFO executor queues with worker slots,
 * and churn (peers leave, dropping their queues, and come back later).
 *
 * Arrivals, task sizes and churn come from their own seeded streams, so every
 * strategy sees exactly the same workload and the same churn.
 */
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
  droppedHopLimit: number
  droppedDeadEnd: number
  lostToChurn: number
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
}

type Ev =
  | { kind: 'arrival' }
  | { kind: 'hop', task: Task, from: number, to: number, linkMs: number }
  | { kind: 'done', task: Task, peer: number, epoch: number }
  | { kind: 'leave' }
  | { kind: 'join', peer: number }

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
  const head = new Int32Array(n)
  const completedAt = new Float64Array(config.tasks).fill(NaN)
  const world: World = { mesh, alive, now: () => queue.now, random: stream(config.seed, `strategy:${strategy.name}`) }
  const meanGapMs = 1000 / (config.load * mesh.capacityPerSecond)
  const leaveGapMs = config.churn > 0 ? 60_000 / (config.churn * n) : Infinity
  let arrived = 0
  let inFlight = 0
  let completed = 0
  let hopsSum = 0
  let droppedHopLimit = 0
  let droppedDeadEnd = 0
  let lostToChurn = 0
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
  const finish = (task: Task | undefined, dropped: 'hop' | 'dead-end' | 'churn' | undefined): void => {
    inFlight--
    if (dropped === 'hop') droppedHopLimit++
    else if (dropped === 'dead-end') droppedDeadEnd++
    else if (dropped === 'churn') lostToChurn++
    else if (task !== undefined) {
      completed++
      hopsSum += task.visited.length - 1
      completedAt[task.id] = queue.now - task.arrivedAt + task.pathMs
    }
  }
  const startWork = (p: number, task: Task): void => {
    busy[p]!++
    queue.schedule(queue.now + task.work * mesh.serviceMs[p]!, { kind: 'done', task, peer: p, epoch: epoch[p]! })
  }
  const enqueue = (p: number, task: Task): void => {
    const ahead = busy[p]! + waiting[p]!.length - head[p]!
    const slots = mesh.slots[p]!
    const service = mesh.serviceMs[p]!
    // Expected sojourn: the tasks ahead drain over `slots` workers, then this one runs.
    strategy.onEnqueue?.(p, task.cls, Math.max(0, ahead - slots + 1) * service / slots + service)
    if (busy[p]! < slots) startWork(p, task)
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
      else finish(task, 'hop')
      return
    }
    const to = strategy.decide(p, task.cls, candidates, capable, from < 0 && task.visited.length === 1)
    if (to === DROP) finish(task, 'dead-end')
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
        const task: Task = { id: arrived, cls: pickClass(), arrivedAt: queue.now, work: exponential(arrivals, 1), visited: [origin], pathMs: 0, at: origin }
        arrived++
        inFlight++
        if (arrived < config.tasks) queue.schedule(queue.now + exponential(arrivals, meanGapMs), { kind: 'arrival' })
        // A task submitted on a tab that is away goes to the next live peer.
        let o = origin
        while (!alive[o]) o = (o + 1) % n
        task.visited[0] = o
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
          finish(task, 'churn')
        }
        break
      }
      case 'done': {
        if (ev.epoch !== epoch[ev.peer]) break // the peer left meanwhile; already counted as lost
        busy[ev.peer]!--
        finish(ev.task, undefined)
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
        const dropped = busy[p]! + waiting[p]!.length - head[p]!
        for (let i = 0; i < dropped; i++) finish(undefined, 'churn')
        busy[p] = 0
        waiting[p] = []
        head[p] = 0
        queue.schedule(queue.now + exponential(churnRng, config.meanDowntimeMs), { kind: 'join', peer: p })
        mesh.capability.leave?.(p)
        strategy.onTopologyChange?.(p, false)
        break
      }
      case 'join': {
        alive[ev.peer] = true
        mesh.capability.join?.(ev.peer)
        strategy.onTopologyChange?.(ev.peer, true)
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
    droppedHopLimit,
    droppedDeadEnd,
    lostToChurn,
    rerouted,
    stoppedEarly,
    simulatedMs: queue.now,
    wallMs: performance.now() - wallStart
  }
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
