/**
 * What a reader may see of a work order (004 第五条, 003 第十四条, 001 三(一)5):
 * - the caller's phone: the center (and admins) only;
 * - a confidential (举报) caller's name: never a unit.
 * Applied to the live state and to list rows alike, by removing the fields wherever they occur.
 */
import type { AuthUser } from '../http/auth';

export interface Visibility {
  phone: boolean;
  name: boolean;
}

/** What `user` may see of a work order that is or is not confidential. */
export function visibilityFor(user: AuthUser, confidential: boolean): Visibility {
  return {
    phone: user.role === 'center' || user.role === 'admin',
    name: user.role !== 'unit' || !confidential,
  };
}

const phoneKeys = new Set(['callerPhone', 'caller_phone']);
const nameKeys = new Set(['callerName', 'caller_name']);

/** A deep copy of `value` without the fields `visibility` hides, at any depth. */
export function mask<T>(value: T, visibility: Visibility): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(v)) {
      if (!visibility.phone && phoneKeys.has(key)) continue;
      if (!visibility.name && nameKeys.has(key)) continue;
      out[key] = walk(inner);
    }
    return out;
  };
  return walk(value) as T;
}

/** Can this user see (and act on) a work order with these current units? Units: main or co only. */
export function unitMayAccess(user: AuthUser, mainUnitId: string | undefined | null, coUnitIds: readonly string[]): boolean {
  if (user.role !== 'unit') return true;
  return user.unitId !== undefined && (mainUnitId === user.unitId || coUnitIds.includes(user.unitId));
}
