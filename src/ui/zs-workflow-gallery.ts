import { LitElement, css, html, nothing, svg } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { WORKFLOW_TEMPLATES, type WorkflowTemplate } from '../app/index.ts'
import { shared } from './theme.ts'
import { outlineLine, templateOutline, type TemplateOutline } from './workflow-format.ts'
import { layoutWorkflow } from './workflow-layout.ts'

/** The mini DAG's boxes and gaps, in px: a hint of the shape, not a drawing to read. */
const MINI = { width: 20, height: 12, nodesep: 6, ranksep: 14, margin: 4 } as const

/** Fired by `<zs-workflow-gallery>` when the user picks a template; `templateId` names it. */
export class TemplatePickEvent extends Event {
  static readonly type = 'zs-template-pick'
  constructor (readonly templateId: string) {
    super(TemplatePickEvent.type, { bubbles: true, composed: true })
  }
}

/**
 * The template gallery of the Workflows view: a card per template — its
 * title, what it does, how many steps and which workloads, and its DAG in
 * miniature (laid out by dagre, as the runs are). Each card is a button;
 * the template in the editor is marked (`aria-pressed`).
 */
@customElement('zs-workflow-gallery')
export class ZsWorkflowGallery extends LitElement {
  static override styles = [shared, css`
    :host { display: block; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
    li { display: grid; }
    button.card {
      display: grid; grid-template-rows: auto auto auto 1fr auto; gap: 6px; text-align: left; padding: 10px 12px;
      border-radius: var(--zs-radius); background: var(--zs-surface); box-shadow: var(--zs-shadow);
    }
    button.card[aria-pressed="true"] { border-color: var(--zs-accent); background: var(--zs-accent-soft); box-shadow: 0 0 0 1px var(--zs-accent); }
    .mini { height: 48px; display: flex; align-items: center; }
    .mini svg { max-width: 100%; max-height: 48px; }
    .mini rect { fill: var(--zs-surface-2); stroke: var(--zs-muted); stroke-width: 1.2; }
    .mini rect.fan { fill: var(--zs-accent-soft); stroke: var(--zs-accent); }
    .mini path { fill: none; stroke: var(--zs-muted); stroke-width: 1; }
    .title { font-weight: 600; font-size: 0.875rem; line-height: 1.3; }
    /* Two lines at most: the card's title attribute has it all. */
    .description { margin: 0; align-self: start; font-size: 0.75rem; line-height: 1.35; max-height: calc(2 * 1.35em); color: var(--zs-muted); display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
    .chips { display: flex; flex-wrap: wrap; gap: 4px; align-self: start; }
    .chip { font-family: var(--zs-mono); font-size: 0.6875rem; padding: 0 6px; border-radius: 999px; border: 1px solid var(--zs-border); background: var(--zs-surface-2); }
    button.card[aria-pressed="true"] .chip { background: var(--zs-surface); }
    .foot { display: flex; gap: 8px; align-items: baseline; font-size: 0.75rem; }
    .foot .shape { color: var(--zs-muted); }
    .use { margin-left: auto; font-weight: 600; color: var(--zs-accent); white-space: nowrap; }
  `]

  @property({ attribute: false }) templates: readonly WorkflowTemplate[] = WORKFLOW_TEMPLATES
  /** The id of the template in the editor. */
  @property() selected = ''
  /** True once the spec in the editor differs from the selected template's. */
  @property({ type: Boolean }) edited = false

  /** Each template's outline, parsed once per list of templates. */
  #outlines = new WeakMap<WorkflowTemplate, TemplateOutline | undefined>()

  override render () {
    return html`<ul role="list" aria-label="Workflow templates">${this.templates.map(template => this.#card(template))}</ul>`
  }

  #outline (template: WorkflowTemplate): TemplateOutline | undefined {
    if (!this.#outlines.has(template)) this.#outlines.set(template, templateOutline(template.spec))
    return this.#outlines.get(template)
  }

  #card (template: WorkflowTemplate) {
    const outline = this.#outline(template)
    const chosen = template.id === this.selected
    return html`<li>
      <button type="button" class="card" data-testid="workflow-template-card" data-template-id=${template.id} aria-pressed=${chosen ? 'true' : 'false'}
        title=${template.description} @click=${() => { this.dispatchEvent(new TemplatePickEvent(template.id)) }}>
        <span class="mini" aria-hidden="true">${outline === undefined ? nothing : this.#mini(outline)}</span>
        <span class="title">${template.title}</span>
        <span class="description">${template.description}</span>
        <span class="chips">${outline === undefined ? nothing : outline.modules.map(module => html`<span class="chip">${module}</span>`)}</span>
        <span class="foot">
          ${outline === undefined ? nothing : html`<span class="shape">${outlineLine(outline)}</span>`}
          <span class="use">${chosen ? (this.edited ? '✓ In the editor, edited' : '✓ In the editor') : 'Use →'}</span>
        </span>
      </button>
    </li>`
  }

  /** The template's DAG in miniature: a box per step (a fan-out's stacked), an arrow per dependency. */
  #mini (outline: TemplateOutline) {
    const layout = layoutWorkflow(outline.steps, { width: MINI.width, height: MINI.height, nodesep: MINI.nodesep, ranksep: MINI.ranksep, margin: MINI.margin })
    const fanOut = new Set(outline.steps.filter(step => step.fanOut).map(step => step.name))
    return svg`<svg width=${layout.width} height=${layout.height} viewBox="0 0 ${layout.width} ${layout.height}">
      ${layout.edges.map(edge => svg`<path d=${`M${edge.points.map(p => `${p.x},${p.y}`).join(' L')}`}></path>`)}
      ${layout.steps.map(box => fanOut.has(box.name)
        ? svg`<rect class="fan" x=${box.x + 3} y=${box.y - 3} width=${box.width} height=${box.height} rx="2"></rect><rect class="fan" x=${box.x} y=${box.y} width=${box.width} height=${box.height} rx="2"></rect>`
        : svg`<rect x=${box.x} y=${box.y} width=${box.width} height=${box.height} rx="2"></rect>`)}
    </svg>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-workflow-gallery': ZsWorkflowGallery
  }
  interface GlobalEventHandlersEventMap {
    'zs-template-pick': TemplatePickEvent
  }
}
