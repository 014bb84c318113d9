/**
 * A request id per HTTP request (issue 15): taken from `X-Request-Id` when it looks like one,
 * otherwise made here; echoed in the response, and carried by AsyncLocalStorage so that every log
 * line written while the request is handled — including the workflow calls it makes
 * (temporal/requestIdInterceptor.ts) — has it (api/logger.ts mixes it in).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const storage = new AsyncLocalStorage<{ requestId: string }>();
const acceptable = /^[A-Za-z0-9._:-]{1,100}$/;

/** The id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Assigns the id (mount first). */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  const id = given && acceptable.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.set('X-Request-Id', id);
  storage.run({ requestId: id }, () => next());
};
