/**
 * The DAG of a spec: which steps each step waits for, cycles, depth and a
 * topological order. Edges come from `depends`, `dependencies` and every
 * reference to another step's status or output.
 */
import { WorkflowSpecError } from './errors.ts'
import { statusNodes, stepNodes } from './references.ts'
import type { WorkflowSpec } from './types.ts'

/**
 * The names each step depends on, in spec order, each once. Names of steps
 * the spec does not have are left out (parseWorkflowSpec refuses them).
 */
export function stepDependencies (spec: WorkflowSpec): Map<string, string[]> {
  const names = new Set(spec.dag.tasks.map(step => step.name))
  const dependencies = new Map<string, string[]>()
  spec.dag.tasks.forEach((step, i) => {
    const nodes = stepNodes(step, `/dag/tasks/${i}`)
    const found = [
      ...(step.dependencies ?? []),
      ...statusNodes([...nodes.depends, ...nodes.when]).map(node => node.step),
      ...nodes.references.filter(({ node }) => node.root === 'steps').map(({ node }) => String(node.path[0]?.key))
    ]
    const own = dependencies.get(step.name) ?? []
    for (const name of found) {
      if (names.has(name) && name !== step.name && !own.includes(name)) own.push(name)
    }
    dependencies.set(step.name, own)
  })
  return dependencies
}

/** Every cycle found by a depth-first walk, each as the steps in it, in order, without repeating the first. */
export function findCycles (dependencies: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const cycles: string[][] = []
  const inCycle = new Set<string>()
  // Iterative, so a long chain cannot exhaust the call stack.
  for (const root of dependencies.keys()) {
    if (state.has(root)) continue
    const work: Array<{ name: string, next: number }> = [{ name: root, next: 0 }]
    state.set(root, 'open')
    stack.push(root)
    while (work.length > 0) {
      const frame = work[work.length - 1] as { name: string, next: number }
      const edges = dependencies.get(frame.name) ?? []
      if (frame.next < edges.length) {
        const to = edges[frame.next++] as string
        const seen = state.get(to)
        if (seen === undefined) {
          state.set(to, 'open')
          stack.push(to)
          work.push({ name: to, next: 0 })
        } else if (seen === 'open' && !inCycle.has(to)) {
          // `to` is on the stack: the path from it to here, and the edge back, is a cycle.
          const cycle = stack.slice(stack.indexOf(to))
          cycles.push(cycle)
          for (const name of cycle) inCycle.add(name)
        }
      } else {
        state.set(frame.name, 'done')
        stack.pop()
        work.pop()
      }
    }
  }
  return cycles
}

/**
 * Kahn's algorithm; among steps ready at the same time the one declared first
 * comes first, so the order is stable. Throws WorkflowSpecError naming a cycle.
 */
export function topologicalOrder (spec: WorkflowSpec): string[] {
  const dependencies = stepDependencies(spec)
  const waiting = new Map([...dependencies].map(([name, deps]) => [name, deps.length]))
  const dependents = new Map<string, string[]>()
  for (const [name, deps] of dependencies) {
    for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), name])
  }
  const order: string[] = []
  const ready = [...dependencies.keys()].filter(name => waiting.get(name) === 0)
  const rank = new Map([...dependencies.keys()].map((name, i) => [name, i]))
  while (ready.length > 0) {
    ready.sort((a, b) => (rank.get(a) as number) - (rank.get(b) as number))
    const name = ready.shift() as string
    order.push(name)
    for (const dependent of dependents.get(name) ?? []) {
      const left = (waiting.get(dependent) as number) - 1
      waiting.set(dependent, left)
      if (left === 0) ready.push(dependent)
    }
  }
  if (order.length < dependencies.size) {
    const cycle = findCycles(dependencies)[0] ?? []
    const index = spec.dag.tasks.findIndex(step => step.name === cycle[0])
    throw new WorkflowSpecError([{ path: `/dag/tasks/${index}`, message: describeCycle(cycle) }])
  }
  return order
}

/** `cycle: a → b → c → a` — read as "a waits for b, which waits for c, which waits for a". */
export function describeCycle (cycle: string[]): string {
  return `cycle: ${[...cycle, cycle[0]].join(' → ')}`
}

/**
 * The longest chain of steps ending at each step (a step with no
 * dependencies has depth 1). Only for an acyclic graph.
 */
export function stepDepths (spec: WorkflowSpec): Map<string, number> {
  const dependencies = stepDependencies(spec)
  const depths = new Map<string, number>()
  for (const name of topologicalOrder(spec)) {
    const deps = dependencies.get(name) ?? []
    depths.set(name, 1 + Math.max(0, ...deps.map(dep => depths.get(dep) ?? 0)))
  }
  return depths
}
