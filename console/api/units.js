/** /units and /unit-search: the unit tree and the picker's search (name or pinyin initials). */
import { query, request } from './http.js';

export const searchUnits = (q) => request('GET', `/unit-search${query({ q, limit: 20 })}`);
export const unitTree = () => request('GET', '/units');

let names;
/** id → name of every unit, fetched once per page load (59 units in the demo). */
export function unitNames() {
  names ??= unitTree()
    .then(({ tree }) => {
      const map = {};
      const walk = (nodes) => nodes.forEach((n) => ((map[n.id] = n.name), walk(n.children || [])));
      walk(tree);
      return map;
    })
    .catch(() => ((names = undefined), {}));
  return names;
}
