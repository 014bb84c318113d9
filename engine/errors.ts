import { status } from '@grpc/grpc-js';
import type { Msg } from './proto';

/**
 * An error the frontend answers with a specific gRPC status. `details` become
 * `grpc-status-details-bin` entries (google.rpc.Status details), as Temporal sends them.
 */
export class EngineError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly details?: { typeName: string; value: Msg },
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const invalidArgument = (message: string) => new EngineError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string, details?: { typeName: string; value: Msg }) =>
  new EngineError(status.NOT_FOUND, message, details);
export const alreadyExists = (message: string, details?: { typeName: string; value: Msg }) =>
  new EngineError(status.ALREADY_EXISTS, message, details);
export const failedPrecondition = (message: string) => new EngineError(status.FAILED_PRECONDITION, message);
export const unimplemented = (message: string) => new EngineError(status.UNIMPLEMENTED, message);

/** The NOT_FOUND Temporal answers for an unknown or already purged execution. */
export function workflowNotFound(workflowId: string, runId?: string): EngineError {
  return notFound(`workflow execution not found for workflow ID "${workflowId}"${runId ? ` and run ID "${runId}"` : ''}`, {
    typeName: 'temporal.api.errordetails.v1.NotFoundFailure',
    value: {},
  });
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument(`${field} is not set`);
  return value;
}
