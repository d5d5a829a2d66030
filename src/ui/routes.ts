/**
 * The app's sections and their URLs. Pure: no DOM, no `location`, so every
 * rule is unit-testable (test/unit/ui/routes.test.ts).
 *
 * Hash routes (`/#/submit`), not paths (`/submit`), because:
 * - the app server already answers `/metrics` (Prometheus text) and `/healthz`
 *   itself, so a Metrics section at `/metrics` would never reach the page;
 * - the page fetches `config.json` and `samples/…` by relative URL, which a
 *   nested path would break;
 * - the fragment never leaves the browser, so any static host, the Workbox
 *   service worker (its precached `index.html` answers the navigation offline)
 *   and a reload all serve the same document with no rewrite rules.
 * `hashchange` gives back/forward for free, and links stay real `<a href>`.
 */

export const SECTION_IDS = ['home', 'submit', 'workflows', 'agents', 'network', 'ledger', 'metrics', 'settings'] as const

export type SectionId = typeof SECTION_IDS[number]

export interface Section {
  id: SectionId
  /** The nav link's text and the section's heading. */
  label: string
  /** One of the few links the phone's bottom bar shows; the others are under "More". */
  primary: boolean
}

export const SECTIONS: readonly Section[] = [
  { id: 'home', label: 'Home', primary: true },
  { id: 'submit', label: 'Submit', primary: true },
  { id: 'workflows', label: 'Workflows', primary: true },
  { id: 'agents', label: 'Agents', primary: true },
  { id: 'network', label: 'Network', primary: false },
  { id: 'ledger', label: 'Ledger', primary: false },
  { id: 'metrics', label: 'Metrics', primary: false },
  { id: 'settings', label: 'Settings', primary: false }
]

export const DEFAULT_SECTION: SectionId = 'home'

/** Names people may type or old links may carry, mapped to the section that now holds them. */
const ALIASES: Readonly<Record<string, SectionId>> = {
  tasks: 'submit',
  jobs: 'submit',
  marketplace: 'agents',
  guilds: 'agents',
  peers: 'network',
  history: 'ledger',
  contribute: 'home'
}

const isSectionId = (value: string): value is SectionId => (SECTION_IDS as readonly string[]).includes(value)

/**
 * The section a URL fragment names: `#/submit`, `#submit`, `#/Submit/` and
 * `#/submit?x` all name Submit; an empty, unknown or malformed fragment is
 * Home, so a stale link still opens the app.
 */
export function parseRoute (hash: string): SectionId {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '').split(/[/?#]/, 1)[0] ?? ''
  let name: string
  try {
    name = decodeURIComponent(path).trim().toLowerCase()
  } catch {
    // A malformed percent-escape (`#/%zz`) names nothing.
    return DEFAULT_SECTION
  }
  if (isSectionId(name)) return name
  // Own keys only: `#/constructor` must not find Object.prototype's.
  return Object.hasOwn(ALIASES, name) ? ALIASES[name]! : DEFAULT_SECTION
}

/** The `href` of a section's link. */
export function routeHref (id: SectionId): string {
  return `#/${id}`
}

export function sectionOf (id: SectionId): Section {
  return SECTIONS.find(section => section.id === id) ?? SECTIONS[0]!
}
