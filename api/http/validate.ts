/**
 * Request validation with zod: params, query and body are parsed together and every issue is
 * answered at once as 400 naming its field (`body.callerPhone`, `query.month`).
 *
 * Before any schema, one rule for every string of every route (domain/storable.ts): text that
 * PostgreSQL cannot store (NUL, lone surrogates) or that no person types (other control
 * characters) is refused, as is JSON nested absurdly deep — so no route can forget it.
 */
import type { z } from 'zod';
import { findUnstorable } from '../../domain/storable';
import { FieldIssue, HttpError } from './errors';

export interface RequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  /** Header names in lower case; other headers pass through unchecked. */
  headers?: z.ZodType;
  body?: z.ZodType;
}

/** What {@link parseRequest} yields: the parsed value of each part that has a schema. */
export type Parsed<S extends RequestSchemas> = {
  params: S['params'] extends z.ZodType ? z.output<S['params']> : Record<string, string>;
  query: S['query'] extends z.ZodType ? z.output<S['query']> : Record<string, unknown>;
  headers: S['headers'] extends z.ZodType ? z.output<S['headers']> : Record<string, unknown>;
  body: S['body'] extends z.ZodType ? z.output<S['body']> : undefined;
};

function issuesOf(where: string, error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

/**
 * Parses `{ params, query, body }` with the given schemas.
 *
 * @throws HttpError 400 `INVALID_INPUT` listing every issue with its field path
 */
export function parseRequest<S extends RequestSchemas>(
  schemas: S,
  input: { params: unknown; query: unknown; headers?: unknown; body: unknown },
): Parsed<S> {
  const issues: FieldIssue[] = [];
  const out: Record<string, unknown> = { params: input.params, query: input.query, headers: input.headers, body: undefined };
  for (const part of ['params', 'query', 'headers', 'body'] as const) {
    const schema = schemas[part];
    // An absent JSON body arrives as undefined: validate it as {} so missing fields are named.
    const value = part === 'body' && (input.body === undefined || input.body === null) ? {} : input[part];
    // Every part, with or without a schema (headers: Node's parser refuses control characters).
    if (part !== 'headers') {
      const bad = findUnstorable(value, true);
      if (bad.length) {
        issues.push(...bad.map((b) => ({ path: [part, ...b.path.map(String)].join('.'), message: b.message, code: 'invalid_characters' })));
        continue;
      }
    }
    if (!schema) continue;
    const result = schema.safeParse(value);
    if (result.success) out[part] = result.data;
    else issues.push(...issuesOf(part, result.error));
  }
  if (issues.length > 0) {
    const names = [...new Set(issues.map((i) => i.path))].join(', ');
    throw new HttpError(400, 'INVALID_INPUT', `invalid input: ${names}`, issues);
  }
  return out as Parsed<S>;
}
