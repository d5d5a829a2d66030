/** The Workflows view's templates: kept in the peer layer (src/peer/workflow-templates.ts), so the Node SDK offers them too. */
export { WORKFLOW_TEMPLATES, type TemplateFile, type WorkflowTemplate } from '../peer/workflow-templates.ts'
