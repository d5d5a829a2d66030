/** A job's inputs, read and checked: moved to the peer layer (src/peer/job-inputs.ts), shared with the Node SDK. */
export { jobInputsOf, type JobInputs } from '../peer/job-inputs.ts'
