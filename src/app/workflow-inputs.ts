/** A workflow's `bytes` and `files` inputs put into the blob store: moved to the peer layer (src/peer/workflow-inputs.ts), shared with the Node SDK. */
export { blobPutter, storeWorkflowInputs, type InputBytes, type PutBlob, type WorkflowInputGiven } from '../peer/workflow-inputs.ts'
