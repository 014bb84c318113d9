/**
 * HTTP errors and the one error handler: every failure becomes a JSON body
 * `{ type, message, issues? }` with a 4xx status when the client caused it. A 500 means a bug
 * or an unavailable dependency, never bad input.
 */
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, isGrpcDeadlineError, isGrpcServiceError } from '@temporalio/client';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** One invalid field: `path` like `body.callerPhone` or `query.month`. */
export interface FieldIssue {
  path: string;
  message: string;
  code?: string;
}

/** An error with its HTTP status, a machine-readable type and a sentence for people. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly issues?: FieldIssue[],
    /** More fields of the answer's body (e.g. `applied` of a 503). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, 'NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'your role may not do this') => new HttpError(403, 'FORBIDDEN', message);

/** A refused workflow update → 409 with the rule's type (domain/workorder.ts `refusalTypes`). */
function refusal(error: unknown): HttpError | undefined {
  const isUpdateFailure = error instanceof WorkflowUpdateFailedError || (error as Error)?.name === 'WorkflowUpdateFailedError';
  if (!isUpdateFailure) return undefined;
  const cause = (error as WorkflowUpdateFailedError).cause;
  if (cause instanceof ApplicationFailure || (cause as Error | undefined)?.name === 'ApplicationFailure') {
    const failure = cause as ApplicationFailure;
    return new HttpError(409, failure.type ?? 'REFUSED', failure.message);
  }
  return new HttpError(409, 'REFUSED', cause?.message ?? 'the work order refused this action');
}

const unavailable = () =>
  new HttpError(503, 'WORKFLOW_UNAVAILABLE', 'the work order did not answer in time (is the worker running?); try again');

/** gRPC status UNAVAILABLE: the Temporal frontend cannot be reached. */
function engineUnreachable(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (isGrpcServiceError(e) && e.code === 14) return true;
  }
  return false;
}

/** Maps what the workflow client throws to HTTP; returns undefined for anything else. */
export function fromWorkflowError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const refused = refusal(error);
  if (refused) return refused;
  if (error instanceof WorkflowNotFoundError || (error as Error)?.name === 'WorkflowNotFoundError') {
    return notFound('work order');
  }
  // Our deadline passed (no worker answered): the caller may retry; not the client's fault.
  if ((error as Error)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError' || isGrpcDeadlineError(error)) return unavailable();
  if (engineUnreachable(error)) return new HttpError(503, 'ENGINE_UNAVAILABLE', 'the workflow engine cannot be reached; try again');
  return undefined;
}

/** 404 for every path no router answered. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`));
};

/** The last middleware: body-parser failures → 400/413, HttpError → its status, the rest → 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    let http = fromWorkflowError(error);
    const parserType = (error as { type?: string })?.type;
    if (!http && parserType === 'entity.parse.failed') {
      http = new HttpError(400, 'INVALID_INPUT', 'the body is not valid JSON', [
        { path: 'body', message: 'malformed JSON', code: 'invalid_json' },
      ]);
    } else if (!http && parserType === 'entity.too.large') {
      http = new HttpError(413, 'PAYLOAD_TOO_LARGE', 'the body is larger than the server accepts', [
        { path: 'body', message: 'too large', code: 'too_large' },
      ]);
    } else if (!http && (parserType === 'encoding.unsupported' || parserType === 'charset.unsupported')) {
      const header = parserType === 'encoding.unsupported' ? 'content-encoding' : 'content-type';
      http = new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', (error as Error).message, [
        { path: `headers.${header}`, message: 'supported: Content-Encoding gzip, deflate, br or none; charset utf-8', code: 'unsupported' },
      ]);
    } else if (!http && typeof (error as { status?: number })?.status === 'number') {
      const status = (error as { status: number }).status;
      // What is left: a body that cannot be read (bad gzip, aborted), or a path express could
      // not decode (route.ts names the parameter first; this is the fallback).
      const part = error instanceof URIError ? 'params' : 'body';
      if (status >= 400 && status < 500) {
        http = new HttpError(status, status === 400 ? 'INVALID_INPUT' : 'BAD_REQUEST', (error as Error).message, [
          { path: part, message: (error as Error).message, code: 'unreadable' },
        ]);
      }
    }
    if (!http) {
      logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
      http = new HttpError(500, 'INTERNAL', 'internal error');
    }
    if (res.headersSent) return;
    res
      .status(http.status)
      .json({ type: http.type, message: http.message, ...(http.issues ? { issues: http.issues } : {}), ...http.details });
  };
}
