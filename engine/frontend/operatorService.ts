import { invalidArgument, notFound, requireString } from '../errors';
import type { NamespaceRegistry } from '../namespaces';
import { SYSTEM_SEARCH_ATTRIBUTES } from '../namespaces';
import type { Handler } from './grpcServer';

const VALID_TYPES = new Set([
  'INDEXED_VALUE_TYPE_TEXT',
  'INDEXED_VALUE_TYPE_KEYWORD',
  'INDEXED_VALUE_TYPE_INT',
  'INDEXED_VALUE_TYPE_DOUBLE',
  'INDEXED_VALUE_TYPE_BOOL',
  'INDEXED_VALUE_TYPE_DATETIME',
  'INDEXED_VALUE_TYPE_KEYWORD_LIST',
]);

/** temporal.api.operatorservice.v1.OperatorService: custom search attributes per namespace. */
export function operatorServiceHandlers(namespaces: NamespaceRegistry): Record<string, Handler> {
  return {
    async AddSearchAttributes(req) {
      const ns = requireString(req.namespace, 'Namespace');
      const attrs: Record<string, string> = req.searchAttributes ?? {};
      if (Object.keys(attrs).length === 0) throw invalidArgument('SearchAttributes are not set');
      for (const [name, type] of Object.entries(attrs)) {
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw invalidArgument(`invalid search attribute name "${name}"`);
        if (!VALID_TYPES.has(type)) throw invalidArgument(`invalid type ${type} for search attribute ${name}`);
      }
      await namespaces.addSearchAttributes(ns, attrs);
      return {};
    },
    async RemoveSearchAttributes(req) {
      const ns = namespaces.get(req.namespace);
      for (const name of req.searchAttributes ?? []) {
        if (!ns.searchAttributes[name]) throw notFound(`Search attribute ${name} doesn't exist.`);
      }
      await namespaces.removeSearchAttributes(ns.name, req.searchAttributes ?? []);
      return {};
    },
    async ListSearchAttributes(req) {
      const ns = namespaces.get(req.namespace);
      return { customAttributes: { ...ns.searchAttributes }, systemAttributes: { ...SYSTEM_SEARCH_ATTRIBUTES }, storageSchema: {} };
    },
  };
}

/** grpc.health.v1.Health: always SERVING while the engine runs. */
export function healthHandlers(): Record<string, Handler> {
  return {
    async Check() {
      return { status: 'SERVING' };
    },
  };
}
