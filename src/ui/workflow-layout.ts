/**
 * Where each step of a workflow goes in its drawing: a layered layout of the
 * DAG from left to right, by dagre (the graph layout is not this project's
 * idea). Pure: unit-tested (test/unit/ui/workflow-layout.test.ts).
 */
import dagre from '@dagrejs/dagre'

export interface LaidOutStep { name: string, x: number, y: number, width: number, height: number }
export interface LaidOutEdge { from: string, to: string, points: Array<{ x: number, y: number }> }
export interface WorkflowLayout { steps: LaidOutStep[], edges: LaidOutEdge[], width: number, height: number }

/** A run's step box: its name, its state line and who ran it. */
export const STEP_WIDTH = 164
export const STEP_HEIGHT = 62

/** The sizes of a drawing, in px; each left out is a run's drawing's. */
export interface LayoutSizes {
  /** Each step's box. */
  width?: number
  height?: number
  /** Between boxes of one layer, and between layers. */
  nodesep?: number
  ranksep?: number
  /** Around the drawing. */
  margin?: number
}

/** Lays out steps (each with the steps it waits for); `x`, `y` are each step's top-left corner. */
export function layoutWorkflow (steps: ReadonlyArray<{ name: string, after: readonly string[] }>, sizes: LayoutSizes = {}): WorkflowLayout {
  const { width = STEP_WIDTH, height = STEP_HEIGHT, nodesep = 16, ranksep = 48, margin = 4 } = sizes
  const graph = new dagre.graphlib.Graph()
  graph.setGraph({ rankdir: 'LR', nodesep, ranksep, marginx: margin, marginy: margin })
  graph.setDefaultEdgeLabel(() => ({}))
  const names = new Set(steps.map(step => step.name))
  for (const step of steps) graph.setNode(step.name, { width, height })
  for (const step of steps) {
    for (const before of step.after) if (names.has(before)) graph.setEdge(before, step.name)
  }
  dagre.layout(graph)
  const laidOut = steps.map(step => {
    const node = graph.node(step.name)
    return { name: step.name, x: node.x - width / 2, y: node.y - height / 2, width, height }
  })
  const edges = graph.edges().map(({ v, w }) => ({ from: v, to: w, points: (graph.edge(v, w).points as Array<{ x: number, y: number }>).map(({ x, y }) => ({ x, y })) }))
  const { width: drawingWidth = 0, height: drawingHeight = 0 } = graph.graph()
  return { steps: laidOut, edges, width: drawingWidth, height: drawingHeight }
}
