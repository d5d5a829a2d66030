import { describe, expect, it } from 'vitest'
import { WORKFLOW_TEMPLATES } from '../../../src/app/workflow-templates.ts'
import { parseWorkflowSpec } from '../../../src/orchestration/workflow/spec/index.ts'

describe('workflow templates', () => {
  it.each(WORKFLOW_TEMPLATES.map(t => [t.id, t] as const))('%s parses, and gives an example for each of its inputs', (_id, template) => {
    const spec = parseWorkflowSpec(template.spec)
    expect(spec.name).toBe(template.id)
    expect(Object.keys(spec.inputs ?? {}).sort()).toEqual(Object.keys(template.inputs).sort())
  })
})
