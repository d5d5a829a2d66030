import { css } from 'lit'

/** Shared by `<zs-ledger>` and `<zs-trust>`: sub-headings, scrolling tables, number cells, chips. */
export const ledgerStyles = css`
  :host {
    display: block;
    contain: content;
  }

  h3 {
    margin: 20px 0 8px;
    font-size: 0.875rem;
    display: flex;
    align-items: center;
    gap: 8px;
  }

  h3:first-child {
    margin-top: 0;
  }

  .count {
    font-size: 0.75rem;
    font-weight: 600;
    color: var(--zs-muted);
  }

  .scroll {
    overflow-x: auto;
  }

  td.num {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }

  time {
    white-space: nowrap;
  }

  .badges {
    display: inline-flex;
    gap: 4px;
    flex-wrap: wrap;
  }

  .chip {
    font-size: 0.6875rem;
    padding: 0 6px;
  }

  .error {
    color: var(--zs-bad);
    font-size: 0.8125rem;
    margin: 4px 0 0;
  }

  .arrow {
    color: var(--zs-muted);
    padding: 0 4px;
  }

  td button {
    padding: 3px 10px;
    font-size: 0.8125rem;
  }
`

/** `<zs-ledger>` only: the balance tiles and the receipts that unfold under a payment. */
export const summaryStyles = css`
  .summary {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr));
    gap: 8px;
    margin: 0 0 4px;
  }

  .summary div {
    background: var(--zs-surface-2);
    border-radius: 8px;
    padding: 8px 12px;
  }

  .summary dt {
    font-size: 0.75rem;
    color: var(--zs-muted);
  }

  .summary dd {
    margin: 2px 0 0;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }

  .summary dd small {
    display: block;
    font-weight: normal;
    color: var(--zs-muted);
    font-size: 0.75rem;
  }

  details summary {
    cursor: pointer;
    font-size: 0.8125rem;
    white-space: nowrap;
  }

  tr.receipt td {
    padding-top: 0;
  }

  .pending {
    margin-left: 4px;
  }

  zs-trust {
    margin-top: 20px;
  }
`

/** `<zs-trust>` only: the score bar. */
export const trustStyles = css`
  .score {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    font-variant-numeric: tabular-nums;
  }

  meter {
    width: 5rem;
    height: 0.75rem;
  }
`

/** `<zs-trust>` only: the list of reports heard. */
export const reportStyles = css`
  ul.reports {
    list-style: none;
    margin: 0;
    padding: 0;
    font-size: 0.875rem;
  }

  ul.reports li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 6px;
    padding: 6px 0;
    border-bottom: 1px solid var(--zs-border);
  }

  ul.reports li:last-child {
    border-bottom: none;
  }
`
