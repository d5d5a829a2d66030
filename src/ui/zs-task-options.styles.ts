import { css } from 'lit'

/** Styles of `<zs-task-options>` (after the shared theme rules and `fieldStyles`). */
export const taskOptionsStyles = css`
  :host {
    display: block;
  }

  details {
    border: 1px solid var(--zs-border);
    border-radius: 8px;
    background: var(--zs-surface-2);
  }

  summary {
    cursor: pointer;
    padding: 8px 12px;
    font-size: 0.875rem;
    font-weight: 600;
  }

  summary .muted {
    font-weight: normal;
  }

  .advanced {
    display: grid;
    gap: 12px;
    padding: 4px 12px 12px;
  }

  .advanced .row {
    grid-template-columns: 1fr 1fr;
  }

  .mono {
    font-family: var(--zs-mono);
    font-size: 0.8125rem;
  }

  /* 64 hex digits do not fit one line of a narrow form: wrap them anywhere. */
  textarea.seed {
    min-height: 0;
    resize: none;
    word-break: break-all;
  }

  [aria-invalid=true] {
    border-color: var(--zs-bad);
  }

  .field-error {
    font-weight: normal;
    font-size: 0.8125rem;
  }

  ul.files {
    list-style: none;
    margin: 0;
    padding: 0;
    font-size: 0.8125rem;
    font-weight: normal;
  }

  ul.files li {
    display: flex;
    gap: 12px;
    padding: 2px 0;
  }

  ul.files li .muted {
    margin-left: auto;
    white-space: nowrap;
  }

  /* A checkbox with its sentence beside it, not above it. */
  label.check {
    display: flex;
    align-items: center;
    gap: 8px;
    font-weight: normal;
  }

  label.check input {
    width: 1.1rem;
    height: 1.1rem;
    accent-color: var(--zs-accent);
  }
`
