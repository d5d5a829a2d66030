import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WORKFLOW_TEMPLATES } from '../../../src/app/workflow-templates.ts'
import { parseWorkflowSpec } from '../../../src/orchestration/workflow/spec/index.ts'
import { WORKLOADS_DIR } from '../../support/local-workflow.ts'

describe('workflow templates', () => {
  it.each(WORKFLOW_TEMPLATES.map(t => [t.id, t] as const))('%s parses, and gives an example for each of its inputs', (_id, template) => {
    const spec = parseWorkflowSpec(template.spec)
    expect(spec.name).toBe(template.id)
    const declared = spec.inputs ?? {}
    expect([...Object.keys(template.inputs), ...Object.keys(template.files ?? {})].sort()).toEqual(Object.keys(declared).sort())
    for (const name of Object.keys(template.inputs)) expect(['text', 'json'], name).toContain(declared[name]?.type)
    for (const [name, files] of Object.entries(template.files ?? {})) {
      const type = declared[name]?.type
      expect(['bytes', 'files'], name).toContain(type)
      if (type === 'bytes') expect(files, name).toHaveLength(1)
      expect(new Set(files.map(file => file.name)).size, `${name}: names are unique`).toBe(files.length)
      // A URL names a workload's example as the server serves it (compile-samples copies a sample's
      // defaultStdinFile and defaultFiles to samples/<id>/): samples/<id>/<file> is src/workloads/<id>/<file>.
      for (const file of files) {
        if (!('url' in file)) continue
        const [, id, name] = /^samples\/([\w-]+)\/([\w.-]+)$/.exec(file.url) ?? []
        expect(existsSync(join(WORKLOADS_DIR, id ?? '', name ?? '')), file.url).toBe(true)
        const sample = JSON.parse(readFileSync(join(WORKLOADS_DIR, id!, 'sample.json'), 'utf8')) as { defaultStdinFile?: string, defaultFiles?: Record<string, string> }
        expect([sample.defaultStdinFile, ...Object.values(sample.defaultFiles ?? {})], file.url).toContain(name)
      }
    }
  })
})
