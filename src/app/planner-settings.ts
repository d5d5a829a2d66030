/**
 * The optional planner's settings in a tab (src/peer/planner.ts): the
 * OpenAI-compatible endpoint, the model and the key the user gave, kept in
 * this browser's localStorage — the one place a page keeps a secret the user
 * typed for it, readable by this origin's scripts only. None by default.
 */
import type { PlannerConfig } from '../peer/planner.ts'

const STORAGE_KEY = 'zerostate.planner'

/** What the view shows of the settings: never the key itself. */
export interface PlannerView {
  endpoint: string
  model: string
  hasKey: boolean
}

export function loadPlannerConfig (): PlannerConfig | undefined {
  try {
    const value = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? 'null') as Partial<PlannerConfig> | null
    if (typeof value?.endpoint !== 'string' || typeof value.model !== 'string') return undefined
    return { endpoint: value.endpoint, model: value.model, ...(typeof value.apiKey === 'string' && value.apiKey !== '' ? { apiKey: value.apiKey } : {}) }
  } catch {
    return undefined
  }
}

/** Keeps `config` (undefined forgets it). */
export function savePlannerConfig (config: PlannerConfig | undefined): void {
  if (config === undefined) globalThis.localStorage?.removeItem(STORAGE_KEY)
  else globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(config))
}

export function plannerView (config: PlannerConfig | undefined): PlannerView | null {
  return config === undefined ? null : { endpoint: config.endpoint, model: config.model, hasKey: config.apiKey !== undefined }
}
