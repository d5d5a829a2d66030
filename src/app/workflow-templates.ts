/**
 * Ready-made workflows the Workflows view offers (the first, rule-based way
 * to turn a plain request into a DAG): each a spec over the bundled samples
 * with example inputs. Their steps retry twice: an executor may leave, or a
 * connection drop, in the middle of a step — the result is the same wherever
 * it runs. test/unit/app/workflow-templates.test.ts checks each
 * one parses.
 */
export interface WorkflowTemplate {
  id: string
  title: string
  description: string
  spec: string
  /** Example values of the spec's text inputs. */
  inputs: Record<string, string>
}

export const WORKFLOW_TEMPLATES: readonly WorkflowTemplate[] = [
  {
    id: 'detect-and-archive',
    title: 'Detect the language of every line, check and archive the detections',
    description: 'One lang-detect task per line (a fan-out), text statistics beside it, every detection checked against a schema (the reduce), and compressed only if they all pass.',
    spec: `version: 1
name: detect-and-archive
inputs:
  text: { type: text }
dag:
  tasks:
    - name: detect
      module: lang-detect
      retry: { limit: 2 }
      forEach: inputs.text.lines
      stdin: "\${{ item }}"
      args: ["--top", "1"]
    - name: stats
      module: text-stats
      retry: { limit: 2 }
      stdin: "\${{ inputs.text }}"
    - name: collect
      module: json-validate
      retry: { limit: 2 }
      stdin: "\${{ steps.detect.items }}"
      files:
        schema.json: '{"type": "array", "items": {"type": "object", "required": ["language", "probability"]}}'
    - name: archive
      module: gzip
      retry: { limit: 2 }
      depends: collect.Succeeded
      when: steps.collect.json.valid == true
      stdin: "\${{ steps.detect.items }}"
    - name: alarm
      module: echo
      depends: collect.Succeeded
      when: steps.collect.json.valid == false
      stdin: "the detections do not match the schema"
outputs:
  stats: "\${{ steps.stats.stdout }}"
  archive: "\${{ steps.archive.files[\\"out.gz\\"] }}"
`,
    inputs: {
      text: [
        'The quick brown fox jumps over the lazy dog.',
        'Der schnelle braune Fuchs springt über den faulen Hund.',
        'Le renard brun rapide saute par-dessus le chien paresseux.',
        'El rápido zorro marrón salta sobre el perro perezoso.',
        'Быстрая коричневая лиса прыгает через ленивую собаку.'
      ].join('\n')
    }
  },
  {
    id: 'csv-check-compress',
    title: 'Convert a CSV to JSON, validate it against a schema, compress it if valid',
    description: 'csv-to-json, then json-validate with the schema you give; gzip the JSON when it is valid, or report why not.',
    spec: `version: 1
name: csv-check-compress
inputs:
  csv: { type: text }
  schema: { type: text }
dag:
  tasks:
    - name: convert
      module: csv-to-json
      retry: { limit: 2 }
      args: ["--infer"]
      stdin: "\${{ inputs.csv }}"
    - name: validate
      module: json-validate
      retry: { limit: 2 }
      stdin: "\${{ steps.convert.stdout }}"
      files:
        schema.json: "\${{ inputs.schema }}"
    - name: compress
      module: gzip
      retry: { limit: 2 }
      depends: validate.Succeeded
      stdin: "\${{ steps.convert.stdout }}"
    - name: report
      module: echo
      depends: validate.Failed
      stdin: "the CSV does not match the schema: see the validate step's output"
outputs:
  json: "\${{ steps.convert.stdout }}"
`,
    inputs: {
      csv: 'city,country,population\nTokyo,Japan,37400068\nDelhi,India,28514000\nZürich,Switzerland,434335\n',
      schema: '{"type": "array", "items": {"type": "object", "required": ["city", "population"], "properties": {"population": {"type": "integer", "minimum": 0}}}}'
    }
  }
]
