/**
 * The OpenAPI 3.1 document, generated from the same route declarations the app mounts
 * (api/http/route.ts) with zod-to-openapi.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (roles: center, unit, supervisor, admin).',
  });
  return registry;
}

export function openApiDocument(registry: OpenAPIRegistry): object {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: '12345 hotline work orders',
      version: '0.1.0',
      description:
        'Work orders (工单) of a 12345 government service hotline: intake, dispatch, handling, review, callback, close, with working-time deadlines, urging and supervision. Every action is checked by the work order’s workflow; refused actions answer 409 with the rule’s type.',
    },
    servers: [{ url: '/' }],
  });
}
