/** /units and /unit-search: the unit tree and the picker's search (name or pinyin initials). */
import { query, request } from './http.js';

export const searchUnits = (q) => request('GET', `/unit-search${query({ q, limit: 20 })}`);
export const unitTree = () => request('GET', '/units');
