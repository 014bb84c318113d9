/** The supervisor's API (/reports/*): dashboard, month table, breakdown, trend, 督办 records, month lists. */
import { query, request } from './http.js';

export const dashboard = (period) => request('GET', `/reports/dashboard${query({ period })}`);
export const monthlyReport = (month) => request('GET', `/reports/monthly${query({ month })}`);
export const breakdown = (month, unit) => request('GET', `/reports/monthly/breakdown${query({ month, unit })}`);
export const trend = (to, unit) => request('GET', `/reports/trend${query({ to, unit })}`);
export const supervisions = (filters) => request('GET', `/reports/supervisions${query(filters)}`);
export const monthList = (list, filters) => request('GET', `/reports/lists/${encodeURIComponent(list)}${query(filters)}`);

/** Download URLs (same origin: the session cookie goes with a plain link). */
export const exportUrls = {
  workList: (filters, format) => `/reports/work-orders/export${query({ ...filters, page: undefined, pageSize: undefined, format })}`,
  monthly: (month, format) => `/reports/monthly/export${query({ month, format })}`,
  supervisions: (filters, format) => `/reports/supervisions${query({ ...filters, page: undefined, pageSize: undefined, format })}`,
  monthList: (list, filters, format) => `/reports/lists/${encodeURIComponent(list)}${query({ ...filters, page: undefined, pageSize: undefined, format })}`,
};
