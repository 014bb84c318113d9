/** How the supervisor's screens write numbers, and which month is "this month". */
import { serverNow } from '../../session.js';

/** A rate as people read it: 95.24%, or — when nothing was due. */
export const formatRate = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(2)}%`);
/** Points as the API gives them (at most 4 decimals). */
export const formatPoints = (p) => (p === null || p === undefined ? '—' : String(p));
/** This month in China time, by the service's clock (the sandbox clock too). */
export const currentMonth = () => new Date(serverNow() + 8 * 3_600_000).toISOString().slice(0, 7);
