/**
 * Stage facts the workflow needs at run time, without the zod vocabulary of workorder.ts
 * (whose schemas would be rebuilt for every workflow the worker loads; issue 9).
 */
import type { Stage } from './workorder';

/** The stages a work order ends in: 结案 and 撤单. */
export const terminalStages: readonly Stage[] = ['closed', 'withdrawn'];
