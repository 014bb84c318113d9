/**
 * Logs every workflow call the API makes (start, update, query, signal) with the request id of
 * the HTTP request that made it, and passes the id on as the Temporal header `request-id`, where
 * workflow and activity interceptors (or a person reading the history) can find it.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Logger } from '../api/logger';
import { currentRequestId } from '../api/http/requestId';

export const REQUEST_ID_HEADER = 'request-id';

/** The interceptor; give it to `new Client({ interceptors: { workflow: [it] } })`. */
export function requestIdInterceptor(logger: Logger): WorkflowClientInterceptor {
  const tagged = <T extends { headers: Record<string, unknown> }>(input: T): T => {
    const id = currentRequestId();
    return id ? { ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(id) } } : input;
  };
  // pino's mixin adds the request id to the line itself.
  const log = (call: string, workflowId: string, name: string) => logger.info({ call, workflowId, name }, 'workflow call');
  return {
    async start(input, next) {
      log('start', input.options.workflowId, input.workflowType);
      return next(tagged(input));
    },
    async startWithDetails(input, next) {
      log('start', input.options.workflowId, input.workflowType);
      return next(tagged(input));
    },
    async startUpdate(input, next) {
      log('update', input.workflowExecution.workflowId, input.updateName);
      return next(tagged(input));
    },
    async startUpdateWithStart(input, next) {
      log('start', input.workflowStartOptions.workflowId, `${input.workflowType}+${input.updateName}`);
      const id = currentRequestId();
      if (!id) return next(input);
      const header = { [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(id) };
      return next({ ...input, workflowStartHeaders: { ...input.workflowStartHeaders, ...header }, updateHeaders: { ...input.updateHeaders, ...header } });
    },
    async signal(input, next) {
      log('signal', input.workflowExecution.workflowId, input.signalName);
      return next(tagged(input));
    },
    async query(input, next) {
      log('query', input.workflowExecution.workflowId, input.queryType);
      return next(tagged(input));
    },
  };
}
