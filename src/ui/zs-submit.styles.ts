import { css } from 'lit'

/** Styles of `<zs-submit>` (after the shared theme rules). */
export const submitStyles = css`
  :host {
    display: block;
  }

  form {
    display: grid;
    gap: 12px;
  }

  label, .label {
    display: grid;
    /* Keep each field at its own height when a neighbour's hint wraps to more lines. */
    align-content: start;
    gap: 4px;
    font-size: 0.875rem;
    font-weight: 600;
  }

  select, input, textarea {
    font: inherit;
    font-weight: normal;
    padding: 6px 8px;
    border-radius: 8px;
    border: 1px solid var(--zs-border);
    background: var(--zs-surface);
    color: var(--zs-text);
    min-width: 0;
  }

  textarea {
    font-family: var(--zs-mono);
    font-size: 0.8125rem;
    min-height: 4.5rem;
    resize: vertical;
  }

  input[type=file] {
    padding: 4px;
  }

  .row {
    display: grid;
    grid-template-columns: 1fr 10rem;
    gap: 12px;
  }

  @media (max-width: 480px) {
    .row {
      grid-template-columns: 1fr;
    }
  }

  .hint {
    font-size: 0.8125rem;
    font-weight: normal;
    margin: 0;
  }

  .upload {
    display: flex;
    align-items: center;
    gap: 8px;
    flex-wrap: wrap;
  }

  .error {
    color: var(--zs-bad);
    font-size: 0.875rem;
    margin: 0;
  }

  .actions {
    display: flex;
    align-items: center;
    gap: 12px;
    flex-wrap: wrap;
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
