/**
 * Design tokens (set once on `<zs-app>`, inherited through every shadow root)
 * and the few rules several elements share. System fonts only: the app must
 * work offline with nothing fetched from a CDN.
 */
import { css } from 'lit'

export const tokens = css`
  :host {
    color-scheme: light dark;
    --zs-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    --zs-mono: ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace;
    --zs-bg: #f5f7fb;
    --zs-surface: #ffffff;
    --zs-surface-2: #eef1f7;
    --zs-border: #d8dde8;
    --zs-text: #172033;
    --zs-muted: #5b6478;
    --zs-accent: #4f46e5;
    --zs-accent-text: #ffffff;
    --zs-accent-soft: #e6e5fc;
    --zs-ok: #0f7a4a;
    --zs-ok-soft: #dcf3e7;
    --zs-warn: #9a5b00;
    --zs-warn-soft: #fdf0d5;
    --zs-bad: #b42318;
    --zs-bad-soft: #fde4e1;
    --zs-radius: 10px;
    --zs-gap: 16px;
    --zs-shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 1px 3px rgb(16 24 40 / 10%);
  }

  @media (prefers-color-scheme: dark) {
    :host {
      --zs-bg: #0b1220;
      --zs-surface: #131c2e;
      --zs-surface-2: #1b263b;
      --zs-border: #2a3650;
      --zs-text: #e5e9f2;
      --zs-muted: #98a2b8;
      --zs-accent: #8b84ff;
      --zs-accent-text: #0b1220;
      --zs-accent-soft: #26284d;
      --zs-ok: #4ade80;
      --zs-ok-soft: #12321f;
      --zs-warn: #fbbf24;
      --zs-warn-soft: #3a2a07;
      --zs-bad: #f87171;
      --zs-bad-soft: #3b1414;
      --zs-shadow: none;
    }
  }
`

export const shared = css`
  :host {
    font-family: var(--zs-font);
    color: var(--zs-text);
  }

  *, *::before, *::after {
    box-sizing: border-box;
  }

  button {
    font: inherit;
    font-size: 0.875rem;
    padding: 6px 12px;
    border-radius: 8px;
    border: 1px solid var(--zs-border);
    background: var(--zs-surface-2);
    color: var(--zs-text);
    cursor: pointer;
  }

  button:hover:not(:disabled) {
    border-color: var(--zs-accent);
  }

  button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }

  button.primary {
    background: var(--zs-accent);
    border-color: var(--zs-accent);
    color: var(--zs-accent-text);
    font-weight: 600;
  }

  :focus-visible {
    outline: 2px solid var(--zs-accent);
    outline-offset: 2px;
  }

  .badge {
    display: inline-block;
    padding: 1px 8px;
    border-radius: 999px;
    font-size: 0.75rem;
    font-weight: 600;
    line-height: 1.5;
    white-space: nowrap;
    background: var(--zs-surface-2);
    color: var(--zs-muted);
    border: 1px solid var(--zs-border);
  }

  .badge.ok {
    background: var(--zs-ok-soft);
    color: var(--zs-ok);
    border-color: transparent;
  }

  .badge.warn {
    background: var(--zs-warn-soft);
    color: var(--zs-warn);
    border-color: transparent;
  }

  .badge.bad {
    background: var(--zs-bad-soft);
    color: var(--zs-bad);
    border-color: transparent;
  }

  .badge.accent {
    background: var(--zs-accent-soft);
    color: var(--zs-accent);
    border-color: transparent;
  }

  .muted {
    color: var(--zs-muted);
  }

  .mono {
    font-family: var(--zs-mono);
    font-size: 0.8125rem;
  }

  .empty {
    color: var(--zs-muted);
    font-style: italic;
    margin: 0;
  }
`

/** Data tables (peers, history): compact rows that turn into labelled cards on narrow screens. */
export const tableStyles = css`
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.875rem;
  }

  th, td {
    text-align: left;
    padding: 8px 10px;
    border-bottom: 1px solid var(--zs-border);
    vertical-align: middle;
  }

  th {
    font-size: 0.75rem;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--zs-muted);
    font-weight: 600;
  }

  tr:last-child td {
    border-bottom: none;
  }

  /* Narrow screens: each row becomes a small card of labelled fields. */
  @media (max-width: 600px) {
    thead {
      display: none;
    }

    tr {
      display: grid;
      gap: 4px;
      padding: 8px 0;
      border-bottom: 1px solid var(--zs-border);
    }

    th, td {
      padding: 0;
      border: none;
    }

    td[data-label]::before {
      content: attr(data-label);
      display: inline-block;
      min-width: 6.5rem;
      color: var(--zs-muted);
      font-size: 0.75rem;
    }
  }
`

/** A page's sections drawn as panels: the surface, border, radius and shadow every section of the shell shares. */
export const panelSections = css`
  section {
    background: var(--zs-surface);
    border: 1px solid var(--zs-border);
    border-radius: var(--zs-radius);
    padding: 16px;
    box-shadow: var(--zs-shadow);
    min-width: 0;
  }
`
