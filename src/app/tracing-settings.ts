/**
 * A tab's tracing settings (docs/tracing.md §8): whether its tasks are traced
 * (on by default) and the OTLP/HTTP collector its spans are exported to (none
 * by default), kept in this browser's localStorage so that a reload keeps
 * them.
 */
import { checkCollectorUrl } from '../network/tracing/index.ts'
import type { OtlpExport, TraceRecorder } from '../network/tracing/index.ts'

const STORAGE_KEY = 'zerostate.tracing'

/** What the Settings view shows and changes. */
export interface TracingView {
  enabled: boolean
  /** The collector URL, or null: spans stay in the tab. */
  otlpUrl: string | null
}

export const DEFAULT_TRACING: TracingView = { enabled: true, otlpUrl: null }

/** The kept settings; the defaults for anything missing or unreadable (the collector URL is checked again when used). */
export function loadTracingSettings (): TracingView {
  try {
    const value = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? 'null') as Partial<TracingView> | null
    return {
      enabled: typeof value?.enabled === 'boolean' ? value.enabled : DEFAULT_TRACING.enabled,
      otlpUrl: typeof value?.otlpUrl === 'string' && value.otlpUrl !== '' ? value.otlpUrl : null
    }
  } catch {
    return { ...DEFAULT_TRACING }
  }
}

export function saveTracingSettings (settings: TracingView): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(settings))
}

/** The settings after `change`: a collector URL is checked (InvalidCollectorUrlError), an empty one is none. */
export function changedTracing (current: TracingView, change: { enabled?: boolean, otlpUrl?: string | null }): TracingView {
  const url = change.otlpUrl?.trim()
  return {
    enabled: change.enabled ?? current.enabled,
    otlpUrl: change.otlpUrl === undefined ? current.otlpUrl : url === undefined || url === '' ? null : checkCollectorUrl(url)
  }
}

/** Puts `settings` in force on a peer: tracing on or off at once, then the export to the collector (or none). */
export async function applyTracing (peer: { traces?: TraceRecorder, otlp: OtlpExport }, settings: TracingView): Promise<void> {
  if (peer.traces !== undefined) peer.traces.enabled = settings.enabled
  await peer.otlp.configure(settings.otlpUrl ?? undefined)
}
