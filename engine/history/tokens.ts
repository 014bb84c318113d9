import { invalidArgument, notFound } from '../errors';

/** What a task token names: a workflow task, an activity attempt or a legacy query task. */
export type TaskToken =
  | { k: 'wt'; ns: string; wid: string; rid: string; sid: number; att: number }
  | { k: 'act'; ns: string; wid: string; rid: string; sid: number; att: number }
  | { k: 'q'; ns: string; wid: string; rid: string; qid: string };

export function encodeToken(token: TaskToken): Buffer {
  return Buffer.from(JSON.stringify(token), 'utf8');
}

/**
 * Decodes a token a worker sent back. A missing token is INVALID_ARGUMENT; one that names no
 * task of this engine is NOT_FOUND (clients map that to "activity not found").
 */
export function decodeToken(buf: unknown): TaskToken {
  if (!buf || !(buf instanceof Uint8Array) || buf.length === 0) throw invalidArgument('taskToken is not set');
  try {
    const t = JSON.parse(Buffer.from(buf).toString('utf8'));
    if (t && typeof t === 'object' && typeof t.k === 'string' && typeof t.ns === 'string' && typeof t.wid === 'string' && typeof t.rid === 'string') {
      return t as TaskToken;
    }
  } catch {
    // fall through
  }
  throw notFound('task not found: the task token does not name a task of this engine');
}
