/**
 * One declaration per endpoint, used twice: to mount the express handler (auth, role check,
 * validation) and to describe it in the OpenAPI document, so the two cannot drift.
 */
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { AuthUser, Role } from './auth';
import { FieldIssue, HttpError } from './errors';
import { Parsed, RequestSchemas, parseRequest } from './validate';

export interface RouteContext<S extends RequestSchemas> extends Parsed<S> {
  req: Request;
  res: Response;
  user: AuthUser;
}

export interface RouteSpec<S extends RequestSchemas = RequestSchemas> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path, e.g. `/tickets/:id/sign`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Roles allowed; anyone else gets 403. */
  roles: readonly Role[];
  schemas: S;
  /** Success responses for the document: status → description (and JSON schema). */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handler: (ctx: RouteContext<S>) => Promise<void> | void;
}

/** Declares a route with its types inferred from its schemas. */
export function route<S extends RequestSchemas>(spec: RouteSpec<S>): RouteSpec<S> {
  return spec;
}

const errorSchema = z.object({
  type: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() })).optional(),
});

const openapiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function document(registry: OpenAPIRegistry, spec: RouteSpec<any>): void {
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = r.schema
      ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }
      : { description: r.description };
  }
  const error = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });
  responses[400] ??= error('invalid input: every bad field named in `issues`');
  responses[401] ??= error('missing or unknown bearer token');
  responses[403] ??= error(`role not allowed (allowed: ${spec.roles.join(', ')})`);
  const request: RouteConfig['request'] = {};
  if (spec.schemas.params) request.params = spec.schemas.params as never;
  if (spec.schemas.query) request.query = spec.schemas.query as never;
  if (spec.schemas.headers) request.headers = spec.schemas.headers as never;
  if (spec.schemas.body) request.body = { content: { 'application/json': { schema: spec.schemas.body } } };
  registry.registerPath({
    method: spec.method,
    path: openapiPath(spec.path),
    summary: spec.summary,
    description: [spec.description, `Roles: ${spec.roles.join(', ')}.`].filter(Boolean).join('\n\n'),
    tags: spec.tags,
    security: [{ bearerAuth: [] }],
    request,
    responses,
  });
}

/**
 * A path parameter that is not valid percent-encoding (`/tickets/%`, `%C3%28`) → 400 naming it.
 * Express would answer its own nameless "Failed to decode param" while matching the route.
 */
function pathParamDecoding(specs: RouteSpec<any>[]): RequestHandler {
  const patterns = specs.map((spec) => {
    const escaped = spec.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return {
      names: [...spec.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]),
      regex: new RegExp(`^${escaped.replace(/:[A-Za-z0-9_]+/g, '([^/]+)')}/?$`, 'i'),
    };
  });
  return (req, _res, next) => {
    if (!req.path.includes('%')) return next();
    for (const { names, regex } of patterns) {
      const match = regex.exec(req.path);
      if (!match) continue;
      const issues: FieldIssue[] = [];
      names.forEach((name, i) => {
        try {
          decodeURIComponent(match[i + 1]);
        } catch {
          issues.push({ path: `params.${name}`, message: 'not valid percent-encoding (UTF-8)', code: 'invalid_encoding' });
        }
      });
      if (issues.length) throw new HttpError(400, 'INVALID_INPUT', `invalid input: ${issues.map((i) => i.path).join(', ')}`, issues);
    }
    next();
  };
}

/**
 * Mounts routes on an (already authenticated) router and registers them in the OpenAPI registry.
 */
export function mountRoutes(router: Router, registry: OpenAPIRegistry, specs: RouteSpec<any>[]): void {
  router.use(pathParamDecoding(specs));
  for (const spec of specs) {
    document(registry, spec);
    router[spec.method](spec.path, async (req: Request, res: Response) => {
      const user = res.locals.user as AuthUser;
      if (!spec.roles.includes(user.role)) {
        throw new HttpError(403, 'FORBIDDEN', `role ${user.role} may not ${spec.method.toUpperCase()} ${spec.path}`);
      }
      const parsed = parseRequest(spec.schemas, { params: req.params, query: req.query, headers: req.headers, body: req.body });
      await spec.handler({ req, res, user, ...parsed });
    });
  }
}
