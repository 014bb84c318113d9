/** /caller-history: the caller's earlier work orders by phone (center only). */
import { query, request } from './http.js';

export const callerHistory = (phone) => request('GET', `/caller-history${query({ phone, limit: 10 })}`);
