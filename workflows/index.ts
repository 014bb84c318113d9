/**
 * The workflows the worker registers (bundled from this file by worker/createWorker.ts).
 * Only workflow-safe code may be reachable from here.
 */
export { workOrderWorkflow } from './workOrder';
