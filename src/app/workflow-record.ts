/** The signed workflow record of this tab's runs: made in the peer layer (src/peer/workflow-record.ts), shared with the Node SDK. */
export { keepSignedRecord, signedWorkflowRecord, verifyWorkflowRecordHere } from '../peer/workflow-record.ts'
