import { css } from 'lit'

/** Styles of `<zs-task-output>`: stdout as text or a table, stderr, images, faces drawn on the photo, output files. */
export const taskOutputStyles = css`
  h4 {
    margin: 0 0 4px;
    font-size: 0.8125rem;
    color: var(--zs-muted);
    font-weight: 600;
  }

  pre {
    margin: 0 0 12px;
    padding: 8px 10px;
    max-height: 16rem;
    overflow: auto;
    background: var(--zs-surface-2);
    border-radius: 8px;
    font-family: var(--zs-mono);
    font-size: 0.8125rem;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }

  .json-output {
    max-height: 16rem;
    overflow: auto;
    margin: 0 0 8px;
  }

  .json-output table {
    border-collapse: collapse;
    font-size: 0.8125rem;
    width: 100%;
  }

  .json-output th, .json-output td {
    text-align: left;
    padding: 3px 8px;
    border-bottom: 1px solid var(--zs-border, rgba(127, 127, 127, 0.25));
    font-family: var(--zs-mono);
    vertical-align: top;
  }

  .json-output th {
    font-family: inherit;
    color: var(--zs-muted);
    font-weight: 600;
    position: sticky;
    top: 0;
    background: var(--zs-surface, #fff);
  }

  details.raw > summary {
    cursor: pointer;
    color: var(--zs-muted);
    font-size: 0.8125rem;
    margin-bottom: 6px;
  }

  pre:empty::before {
    content: '(empty)';
    color: var(--zs-muted);
    font-style: italic;
  }

  pre.stderr {
    color: var(--zs-warn);
  }

  .note {
    font-size: 0.75rem;
    margin: -8px 0 12px;
  }

  ul.files {
    list-style: none;
    padding: 0;
    margin: 0 0 12px;
    border: 1px solid var(--zs-border);
    border-radius: 8px;
  }

  ul.files li {
    display: flex;
    align-items: center;
    gap: 12px;
    padding: 6px 6px 6px 10px;
    font-size: 0.8125rem;
  }

  ul.files li + li {
    border-top: 1px solid var(--zs-border);
  }

  ul.files .path {
    font-family: var(--zs-mono);
    overflow-wrap: anywhere;
    min-width: 0;
  }

  ul.files .size {
    margin-left: auto;
    white-space: nowrap;
  }

  ul.files button {
    font-size: 0.8125rem;
    padding: 3px 10px;
  }
  figure {
    margin: 0 0 12px;
  }

  figure img, .faces {
    display: block;
    max-width: 100%;
    max-height: 24rem;
    border-radius: 8px;
    background: var(--zs-surface-2);
  }

  figcaption {
    font-size: 0.75rem;
    color: var(--zs-muted);
    margin-top: 4px;
  }

  .faces {
    position: relative;
    width: fit-content;
  }

  .faces img {
    display: block;
    max-width: 100%;
    max-height: 24rem;
  }

  /* The boxes are drawn in the image's own pixel coordinates (the SVG's viewBox) and scale with it. */
  .faces svg {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    overflow: visible;
  }

  .faces rect {
    fill: none;
    stroke: var(--zs-accent);
    vector-effect: non-scaling-stroke;
    stroke-width: 2.5;
  }

  .faces text {
    fill: #fff;
    paint-order: stroke;
    stroke: rgba(0, 0, 0, 0.75);
    stroke-width: 3px;
    font-family: var(--zs-font, sans-serif);
    font-weight: 600;
  }

  h4 .caption {
    font-weight: normal;
  }

  .distribution {
    display: flex;
    gap: 16px;
    align-items: center;
    flex-wrap: wrap;
    margin: 0 0 12px;
  }

  .distribution img {
    max-width: 9rem;
    max-height: 9rem;
    border-radius: 8px;
  }

  .distribution table {
    border-collapse: collapse;
    font-size: 0.8125rem;
    flex: 1 1 16rem;
  }

  .distribution th {
    text-align: left;
    font-weight: normal;
    padding: 2px 8px 2px 0;
    white-space: nowrap;
  }

  .distribution td.bar {
    width: 100%;
  }

  .distribution td.bar span {
    display: block;
    height: 0.75rem;
    min-width: 1px;
    border-radius: 3px;
    background: var(--zs-accent);
  }

  .distribution td.value {
    text-align: right;
    font-family: var(--zs-mono);
    padding-left: 8px;
    white-space: nowrap;
  }
`
