import { LitElement, css, html, svg, type PropertyValues, type SVGTemplateResult } from 'lit'
import { customElement, property, query } from 'lit/decorators.js'
import { SECTIONS, routeHref, type Section, type SectionId } from './routes.ts'
import { shared } from './theme.ts'

/** An icon per section, 24×24 strokes in the text colour (decorative: the label says it). Inline SVG, not font glyphs, which some systems lack. */
const ICONS: Readonly<Record<SectionId | 'more', SVGTemplateResult>> = {
  home: svg`<path d="M3 11l9-8 9 8"/><path d="M5 10v10h14V10"/>`,
  submit: svg`<path d="M7 4l13 8-13 8z"/>`,
  workflows: svg`<circle cx="6" cy="6" r="2.5"/><circle cx="6" cy="18" r="2.5"/><circle cx="18" cy="12" r="2.5"/><path d="M8.5 7l7 4M8.5 17l7-4"/>`,
  agents: svg`<rect x="4" y="7" width="16" height="12" rx="3"/><path d="M12 3v4"/><path d="M9 12v2M15 12v2"/>`,
  network: svg`<circle cx="5" cy="12" r="2.5"/><circle cx="19" cy="5" r="2.5"/><circle cx="19" cy="19" r="2.5"/><path d="M7.3 11l9.4-4.8M7.3 13l9.4 4.8"/>`,
  ledger: svg`<rect x="4" y="3" width="16" height="18" rx="2"/><path d="M8 8h8M8 12h8M8 16h5"/>`,
  metrics: svg`<path d="M3 20h18"/><path d="M4 16l5-6 4 4 7-8"/>`,
  settings: svg`<path d="M4 6h9M19 6h1M4 12h3M13 12h7M4 18h11M19 18h1"/><circle cx="16" cy="6" r="2.2"/><circle cx="10" cy="12" r="2.2"/><circle cx="17" cy="18" r="2.2"/>`,
  more: svg`<circle cx="5" cy="12" r="1.2"/><circle cx="12" cy="12" r="1.2"/><circle cx="19" cy="12" r="1.2"/>`
}

const icon = (id: SectionId | 'more') => html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${ICONS[id]}</svg>`

/** Below this width the nav is a bottom tab bar, above it a side bar (kept in step with zs-app's layout). */
export const PHONE_NAV_MAX_WIDTH = 899

/**
 * The section links: real `<a href="#/…">` (routes.ts), the current one with
 * `aria-current="page"`. Wide screens get every link in a column; phones a
 * bottom tab bar within thumb reach (targets ≥ 44 px) with the first few
 * sections and "More", a popover (the platform's `popover`: light dismiss,
 * Escape, top layer) holding the rest.
 */
@customElement('zs-nav')
export class ZsNav extends LitElement {
  static override styles = [shared, css`
    :host {
      display: block;
    }

    nav {
      position: sticky;
      top: 12px;
    }

    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 2px;
    }

    a, button.more {
      display: flex;
      align-items: center;
      gap: 10px;
      min-height: 44px;
      padding: 0 12px;
      border-radius: 8px;
      color: var(--zs-text);
      text-decoration: none;
      font-size: 0.9375rem;
    }

    a:hover {
      background: var(--zs-surface-2);
    }

    a[aria-current=page] {
      background: var(--zs-accent-soft);
      color: var(--zs-accent);
      font-weight: 600;
    }

    .icon {
      width: 20px;
      height: 20px;
      flex: none;
      fill: none;
      stroke: currentColor;
      stroke-width: 1.8;
      stroke-linecap: round;
      stroke-linejoin: round;
    }

    li.more, [popover] {
      display: none;
    }

    @media (max-width: ${PHONE_NAV_MAX_WIDTH}px) {
      nav {
        position: fixed;
        z-index: 10;
        inset: auto 0 0 0;
        background: var(--zs-surface);
        border-top: 1px solid var(--zs-border);
        box-shadow: 0 -2px 8px rgb(16 24 40 / 8%);
        padding: 4px 4px calc(4px + env(safe-area-inset-bottom, 0px));
      }

      ul.bar {
        grid-template-columns: repeat(5, minmax(0, 1fr));
      }

      ul.bar li.secondary {
        display: none;
      }

      ul.bar li.more {
        display: block;
      }

      ul.bar a, button.more {
        flex-direction: column;
        justify-content: center;
        gap: 2px;
        min-height: 52px;
        padding: 4px 2px;
        font-size: 0.6875rem;
        width: 100%;
        text-align: center;
      }

      button.more {
        border: none;
        background: transparent;
        font: inherit;
        font-size: 0.6875rem;
      }

      button.more.current {
        background: var(--zs-accent-soft);
        color: var(--zs-accent);
        font-weight: 600;
      }

      .label {
        max-width: 100%;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }

      [popover]:popover-open {
        display: block;
        position: fixed;
        inset: auto 8px calc(72px + env(safe-area-inset-bottom, 0px)) auto;
        margin: 0;
        min-width: 12rem;
        padding: 6px;
        border: 1px solid var(--zs-border);
        border-radius: var(--zs-radius);
        background: var(--zs-surface);
        color: var(--zs-text);
        box-shadow: 0 8px 24px rgb(16 24 40 / 18%);
      }
    }
  `]

  @property({ attribute: false }) current: SectionId = 'home'

  @query('[popover]') private readonly more!: HTMLElement | null

  protected override updated (changed: PropertyValues<this>): void {
    // A link chosen from "More" closes it (so does Back, which changes the section too).
    if (changed.has('current') && this.more?.matches(':popover-open') === true) this.more.hidePopover()
  }

  override render () {
    const secondaryCurrent = SECTIONS.some(section => !section.primary && section.id === this.current)
    return html`
      <nav aria-label="Sections">
        <ul class="bar">
          ${SECTIONS.map(section => html`<li class=${section.primary ? 'primary' : 'secondary'}>${this.#link(section)}</li>`)}
          <li class="more">
            <button type="button" class="more ${secondaryCurrent ? 'current' : ''}" popovertarget="more-sections"
              data-testid="nav-more" aria-label="More sections">
              ${icon('more')}<span class="label">More</span>
            </button>
          </li>
        </ul>
        <div id="more-sections" popover data-testid="nav-more-menu">
          <ul>${SECTIONS.filter(section => !section.primary).map(section => html`<li>${this.#link(section)}</li>`)}</ul>
        </div>
      </nav>
    `
  }

  #link (section: Section) {
    const current = section.id === this.current
    return html`<a href=${routeHref(section.id)} data-section=${section.id} aria-current=${current ? 'page' : 'false'}>
      ${icon(section.id)}<span class="label">${section.label}</span></a>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-nav': ZsNav
  }
}
