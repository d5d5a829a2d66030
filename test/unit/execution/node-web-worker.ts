// The Node worker-thread shim now lives in src (the CLI uses it too).
export { NodeWebWorker } from '../../../src/execution/node-host.node.ts'
