import { css, unsafeCSS } from 'lit'
// uPlot's own stylesheet, as a string: the charts live in this element's shadow root, where a page-level stylesheet would not reach.
import uplotCss from 'uplot/dist/uPlot.min.css?inline'

export const uplotStyles = unsafeCSS(uplotCss)

/** `<zs-metrics>`: a grid of chart cards, one column on a phone. */
export const metricsStyles = css`
  :host {
    display: block;
  }

  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr));
    gap: 12px;
  }

  figure {
    margin: 0;
    min-width: 0;
    background: var(--zs-surface-2);
    border-radius: 8px;
    padding: 10px 10px 6px;
  }

  figcaption {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 8px;
    margin: 0 0 4px 4px;
    font-size: 0.875rem;
    font-weight: 600;
  }

  figcaption .unit {
    font-size: 0.75rem;
    font-weight: 500;
    color: var(--zs-muted);
  }

  .plot {
    /* uPlot is given this box's width; it must not size itself from its own canvas. */
    width: 100%;
    min-width: 0;
    overflow: hidden;
  }

  .caption {
    margin: 8px 0 0;
    font-size: 0.75rem;
  }

  /* uPlot's legend in the app's type and colours. */
  .uplot {
    font-family: var(--zs-font);
    color: var(--zs-text);
  }

  .u-legend {
    font-size: 0.75rem;
    color: var(--zs-text);
  }

  .u-legend .u-marker {
    width: 0.8em;
    height: 0.8em;
  }

  .u-legend th {
    font-weight: 500;
  }

  .u-legend .u-series > * {
    padding: 2px 4px;
  }

  .u-select {
    background: color-mix(in srgb, var(--zs-accent) 15%, transparent);
  }
`
