import { css } from 'lit'

/** Labelled form fields with their hints and errors: shared by `<zs-submit>` and `<zs-task-options>`. */
export const fieldStyles = css`
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
`

/** Styles of `<zs-submit>` (after the shared theme rules and `fieldStyles`). */
export const submitStyles = css`
  :host {
    display: block;
  }

  form {
    display: grid;
    gap: 12px;
  }

  .row.job {
    align-items: end;
  }

  label.check {
    display: flex;
    align-items: center;
    gap: 8px;
    font-weight: normal;
  }

  .actions {
    display: flex;
    align-items: center;
    gap: 12px;
    flex-wrap: wrap;
  }
`
