/**
 * The faces a face task found (src/workloads/face-detect, faces), read from
 * its JSON output so the task card can draw them on the photo:
 *   {"width": W, "height": H, "faces": [{"score": s, "box": {"x", "y", "width", "height"},
 *    "expression"?: "happy", "expressions"?: {"happy": p, ...}}]}
 * Pure: no DOM, unit-tested. Anything else is not a faces result (undefined),
 * and the card shows the output as it would any JSON.
 */

export interface FaceMark {
  x: number
  y: number
  width: number
  height: number
  score: number
  /** E.g. "happy 97 %": the most probable expression, when the task classified it. */
  label?: string
}

export interface FacesResult {
  width: number
  height: number
  faces: FaceMark[]
}

/** More boxes than this are not drawn: the output is shown as a table only. */
export const MAX_DRAWN_FACES = 256

export function facesResult (text: string): FacesResult | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isRecord(value) || !positive(value.width) || !positive(value.height) || !Array.isArray(value.faces)) return undefined
  if (value.faces.length > MAX_DRAWN_FACES) return undefined
  const faces: FaceMark[] = []
  for (const face of value.faces) {
    if (!isRecord(face) || !isRecord(face.box) || !finite(face.score)) return undefined
    const { x, y, width, height } = face.box
    if (!finite(x) || !finite(y) || !positive(width) || !positive(height)) return undefined
    const label = expressionLabel(face)
    faces.push({ x, y, width, height, score: face.score, ...(label === undefined ? {} : { label }) })
  }
  return { width: value.width, height: value.height, faces }
}

function expressionLabel (face: Record<string, unknown>): string | undefined {
  if (typeof face.expression !== 'string') return undefined
  const probability = isRecord(face.expressions) ? face.expressions[face.expression] : undefined
  return finite(probability) ? `${face.expression} ${Math.round(probability * 100)} %` : face.expression
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function finite (value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function positive (value: unknown): value is number {
  return finite(value) && value > 0
}
