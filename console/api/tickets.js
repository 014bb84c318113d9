/** /tickets: list (server paging), one work order, its timeline, create, and every action. */
import { query, request } from './http.js';

export const listTickets = (filters) => request('GET', `/tickets${query(filters)}`);
export const getTicket = (id) => request('GET', `/tickets/${encodeURIComponent(id)}`);
export const ticketEvents = (id) => request('GET', `/tickets/${encodeURIComponent(id)}/events?limit=1000`);
export const createTicket = (intake, idempotencyKey) => request('POST', '/tickets', intake, { 'Idempotency-Key': idempotencyKey });
export const act = (id, action, body, idempotencyKey) =>
  request('POST', `/tickets/${encodeURIComponent(id)}/${action}`, body, idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {});
export const extensionLimit = (id) => request('GET', `/tickets/${encodeURIComponent(id)}/extension-limit`);
