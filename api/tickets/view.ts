/**
 * What a reader may see of a work order (004 第五条, 003 第十四条, 001 三(一)5, issue 12):
 * - the caller's phone: the center and admins; the work order's current main and co-units while
 *   it is assigned to them and open (003 第八条(二), 004 第十一条(一): the unit phones the caller),
 *   never once replaced or closed, never on a confidential work order;
 * - a confidential caller's name (举报, or any caller who asked, 003 第十四条): never a unit;
 * - phone numbers typed into free text (summary, notes, replies): masked for every reader without
 *   the right to see the caller's phone.
 * Applied to the live state and to list rows alike, by removing the fields wherever they occur.
 */
import type { AuthUser } from '../http/auth';

export interface Visibility {
  phone: boolean;
  name: boolean;
  /** Who evaluated (专业评价员): hidden from units (002 三(四) 有权保护自身身份信息, 三(六)). Default shown. */
  evaluator?: boolean;
}

/** The facts of a work order that decide what a reader sees (a state or a list row). */
export interface WorkOrderAccess {
  confidential: boolean;
  mainUnitId?: string | null;
  coUnitIds?: readonly string[];
  stage?: string;
}

/** What `user` may see of a work order. */
export function visibilityFor(user: AuthUser, wo: WorkOrderAccess): Visibility {
  const open = wo.stage !== 'closed' && wo.stage !== 'withdrawn';
  const assigned = user.role === 'unit' && user.unitId !== undefined && (wo.mainUnitId === user.unitId || (wo.coUnitIds ?? []).includes(user.unitId));
  return {
    phone: user.role === 'center' || user.role === 'admin' || (assigned && open && !wo.confidential),
    name: user.role !== 'unit' || !wo.confidential,
    evaluator: user.role !== 'unit',
  };
}

/** Mobile numbers (optionally +86), and landlines with an area code, in free text. */
const phoneInText = /(?<![\d])(?:(?:\+?86)[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-\d{7,8})(?![\d])/g;
/** Free text with every phone number replaced by a mark people can read. */
export function maskPhonesInText(text: string): string {
  return text.replace(phoneInText, '[电话已隐藏]');
}

const phoneKeys = new Set(['callerPhone', 'caller_phone']);
const nameKeys = new Set(['callerName', 'caller_name']);

/** Marks a key `mask` leaves out. */
const DROPPED = Symbol('dropped');

/**
 * `value` without the fields `visibility` hides, at any depth. Copy on write: what hides nothing is
 * returned as it is, objects and arrays included, so a unit's read of the state it may mostly see
 * copies only the path to what is hidden (issue 9: the whole state was copied per answer), and
 * the center's and admins' reads copy nothing.
 */
export function mask<T>(value: T, visibility: Visibility): T {
  if (visibility.phone && visibility.name && visibility.evaluator !== false) return value;
  const evaluatorHidden = visibility.evaluator === false;
  const field = (owner: object, key: string, inner: unknown): unknown => {
    if (evaluatorHidden && key === 'ruledBy') return DROPPED;
    if (evaluatorHidden && key === 'userId' && (owner as { role?: unknown }).role === 'evaluator') return '专业评价员';
    if (!visibility.phone && phoneKeys.has(key)) return DROPPED;
    if (!visibility.name && nameKeys.has(key)) return DROPPED;
    return walk(inner);
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return visibility.phone ? v : maskPhonesInText(v);
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const masked = walk(v[i]);
        if (masked !== v[i]) (copy ??= v.slice())[i] = masked;
      }
      return copy ?? v;
    }
    const keys = Object.keys(v);
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const inner = (v as Record<string, unknown>)[keys[i]];
      const masked = field(v, keys[i], inner);
      if (copy === undefined && masked !== inner) {
        // The first change: the copy takes the fields before it as they are.
        copy = {};
        for (let j = 0; j < i; j++) copy[keys[j]] = (v as Record<string, unknown>)[keys[j]];
      }
      if (copy !== undefined && masked !== DROPPED) copy[keys[i]] = masked;
    }
    return copy ?? v;
  };
  return walk(value) as T;
}

/** Can this user see (and act on) a work order with these current units? Units: main or co only. */
export function unitMayAccess(user: AuthUser, mainUnitId: string | undefined | null, coUnitIds: readonly string[]): boolean {
  if (user.role !== 'unit') return true;
  return user.unitId !== undefined && (mainUnitId === user.unitId || coUnitIds.includes(user.unitId));
}

/** The caller's phone a value (state or list row) carries, if any. */
export function callerPhoneOf(value: unknown): string | undefined {
  const v = value as { callerPhone?: unknown; intake?: { callerPhone?: unknown } } | null;
  const phone = v?.callerPhone ?? v?.intake?.callerPhone;
  return typeof phone === 'string' ? phone : undefined;
}
