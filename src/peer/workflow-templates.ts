/**
 * Ready-made workflows the Workflows view (and the SDK's WORKFLOW_TEMPLATES) offers (the first, rule-based way
 * to turn a plain request into a DAG): each a spec over the bundled samples
 * with example inputs. Their steps retry twice: an executor may leave, or a
 * connection drop, in the middle of a step — the result is the same wherever
 * it runs. test/unit/app/workflow-templates.test.ts checks each one parses;
 * workflow-templates-run.test.ts runs each with its examples in Node's
 * sandbox and checks what comes out.
 */
export interface WorkflowTemplate {
  id: string
  title: string
  description: string
  spec: string
  /** Example values of the spec's text and json inputs. */
  inputs: Record<string, string>
  /**
   * Example files of the spec's `bytes` inputs (one file) and `files` inputs:
   * each fetched from `url`, relative to the page (a sample's example,
   * `samples/<id>/<file>`, as the Run form fetches it), or given as `text`.
   */
  files?: Record<string, TemplateFile[]>
}

/** One example file of a template: its name, and its bytes from a URL or as text. */
export type TemplateFile = { name: string, url: string } | { name: string, text: string }

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
  },
  {
    id: 'count-languages',
    title: 'Count the languages of a file\'s lines',
    description: 'Split the text into chunks of lines (tally split), detect the language of every line of each chunk in parallel (a lang-detect task per chunk), then count the lines per language (tally count).',
    spec: `version: 1
name: count-languages
description: Detect the language of every line of a file and count the lines per language.
inputs:
  text: { type: text, description: "The file, one document per line." }
dag:
  tasks:
    - name: split
      module: tally
      retry: { limit: 2 }
      args: [split, --lines, "4"]      # lines per lang-detect task
      stdin: "\${{ inputs.text }}"
    - name: detect
      module: lang-detect
      retry: { limit: 2 }
      forEach: steps.split.json.chunks
      args: [--lines, --top, "1"]      # one {"language": …} per line
      stdin: "\${{ item }}"
    - name: count
      module: tally
      retry: { limit: 2 }
      args: [count, --field, language]
      stdin: "\${{ steps.detect.items }}"
outputs:
  counts: "\${{ steps.count.stdout }}"
`,
    inputs: {
      text: [
        'The quick brown fox jumps over the lazy dog.',
        'Der schnelle braune Fuchs springt über den faulen Hund.',
        'Le renard brun rapide saute par-dessus le chien paresseux.',
        'El rápido zorro marrón salta sobre el perro perezoso.',
        'The weather is lovely today, let us go for a walk in the park.',
        'Ich habe heute keine Zeit, weil ich arbeiten muss.',
        'Nous allons au marché demain matin pour acheter des légumes.',
        'Mañana vamos a la playa con nuestros amigos.',
        'She reads a book every evening before going to sleep.',
        'Das Essen in diesem Restaurant ist wirklich ausgezeichnet.',
        'Il fait très beau aujourd\'hui dans le sud de la France.',
        'Where is the nearest train station, please?'
      ].join('\n')
    }
  },
  {
    id: 'faces',
    title: 'Find the faces in a photo and classify their expressions',
    description: 'face-detect finds the faces; one image crop per face, one face-expression per crop (a map after a map: forEach over the crops\' items, each crop\'s out.png as stdin); tally counts the expressions.',
    spec: `version: 1
name: faces
description: Find the faces in a photo, classify each one's expression and count the expressions.
inputs:
  photo: { type: bytes, description: "A photo (PNG or JPEG)." }
dag:
  tasks:
    - name: detect                     # {"faces": [{"score": …, "box": {"x": …, "y": …, "width": …, "height": …}}, …]}
      module: face-detect
      retry: { limit: 2 }
      stdin: "\${{ inputs.photo }}"
    - name: crop                       # one per face: /work/out.png
      module: image
      retry: { limit: 2 }
      forEach: steps.detect.json.faces
      args: [crop, "\${{ item.box.x }}", "\${{ item.box.y }}", "\${{ item.box.width }}", "\${{ item.box.height }}", --format, png]
      stdin: "\${{ inputs.photo }}"
    - name: expression                 # one per crop that succeeded: {"expression": "happy", …}
      module: face-expression
      retry: { limit: 2 }
      forEach: steps.crop.items
      depends: crop.AnySucceeded
      stdin: "\${{ item.files[\\"out.png\\"] }}"
    - name: report
      module: tally
      retry: { limit: 2 }
      depends: expression.AnySucceeded
      args: [count, --field, expression]
      stdin: "\${{ steps.expression.items }}"
outputs:
  expressions: "\${{ steps.report.stdout }}"
  faces: "\${{ steps.crop.items }}"
`,
    inputs: {},
    files: { photo: [{ name: 'example.jpg', url: 'samples/faces/example.jpg' }] }
  },
  {
    id: 'json-files-validate',
    title: 'Validate JSON files against a schema and summarise',
    description: 'One json-validate task per file (forEach over a files input), then tally counts the valid and the invalid. json-validate exits 1 on a document that does not match, which the step counts as a result (exitCodes [0, 1]); a file that is not JSON at all (exit 2) fails its item.',
    spec: `version: 1
name: json-files-validate
description: Validate each JSON file against a schema and count the valid ones.
inputs:
  documents: { type: files, description: "The JSON files." }
  schema: { type: text, description: "A JSON Schema (draft 2020-12)." }
dag:
  tasks:
    - name: validate                   # {"valid": true|false, "errors": […]}; exit 1 when not valid
      module: json-validate
      exitCodes: [0, 1]
      retry: { limit: 1 }
      forEach: inputs.documents
      stdin: "\${{ item.file }}"
      files:
        schema.json: "\${{ inputs.schema }}"
    - name: summary                    # {"total": …, "items": …, "missing": <not JSON>, "counts": {"true": …, "false": …}}
      module: tally
      retry: { limit: 2 }
      depends: validate.AnySucceeded
      args: [count, --field, valid]
      stdin: "\${{ steps.validate.items }}"
outputs:
  summary: "\${{ steps.summary.stdout }}"
`,
    inputs: {
      schema: '{"type": "object", "required": ["id", "items"], "properties": {"id": {"type": "string"}, "items": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["sku", "quantity"], "properties": {"quantity": {"type": "integer", "minimum": 1}}}}}}'
    },
    files: {
      documents: [
        { name: 'order-1.json', text: '{"id": "ORD-1", "items": [{"sku": "TEA-001", "quantity": 2}]}' },
        { name: 'order-2.json', text: '{"id": "ORD-2", "items": [{"sku": "MUG-12", "quantity": 0}]}' },
        { name: 'order-3.json', text: '{"id": "ORD-3", "items": [{"sku": "TEA-002", "quantity": 1}, {"sku": "POT-7", "quantity": 1}]}' }
      ]
    }
  },
  {
    id: 'thumbnails',
    title: 'Thumbnail a folder of images',
    description: 'One image thumbnail task per file (forEach over a files input): each image fit within 128×128 as a PNG.',
    spec: `version: 1
name: thumbnails
description: A 128-pixel PNG thumbnail of every image.
inputs:
  images: { type: files, description: "PNG or JPEG images." }
dag:
  tasks:
    - name: thumbnail                  # /work/out.png and {"output": {"width": …, "height": …}, …}
      module: image
      retry: { limit: 2 }
      forEach: inputs.images
      args: [thumbnail, "128", --format, png]
      stdin: "\${{ item.file }}"
outputs:
  thumbnails: "\${{ steps.thumbnail.items }}"
`,
    inputs: {},
    files: {
      images: [
        { name: 'party.jpg', url: 'samples/image/example.jpg' },
        { name: 'group.jpg', url: 'samples/faces/example.jpg' },
        { name: 'portrait.jpg', url: 'samples/face-expression/example.jpg' }
      ]
    }
  },
  {
    id: 'shared-notes',
    title: 'Take notes in a shared context, then read them back',
    description: 'One context-note task per line appends it to the run\'s shared context (findings, an append key) and counts it (noted, a sum key); a last step reads the whole context. The notes may be taken on different peers: the submitter signs and merges each step\'s updates by the key\'s rule.',
    spec: `version: 1
name: shared-notes
description: Each line becomes a finding in the run's shared context; a last step reads them all.
inputs:
  notes: { type: text, description: "One finding per line." }
context:
  findings: { rule: append, type: string, maxBytes: 512 }
  noted: { rule: sum }
dag:
  tasks:
    - name: note                       # proposes {"key": "findings", "value": <the line>} and {"key": "noted", "value": 1}
      module: context-note
      context: write
      retry: { limit: 2 }
      forEach: inputs.notes.lines
      args: [--append, findings, --add, noted, "1"]
      stdin: "\${{ item }}"
    - name: report                     # prints /work/context.json: {"findings": […], "noted": N}
      module: context-note
      context: read
      retry: { limit: 2 }
      dependencies: [note]
outputs:
  context: "\${{ steps.report.stdout }}"
`,
    inputs: {
      notes: 'The relay answers in 40 ms from Frankfurt\nTwo tabs reached each other over WebRTC\nA witness re-ran one task in three\n'
    }
  }
]
