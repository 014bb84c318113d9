/**
 * What PostgreSQL can store and give back unchanged: the one rule for text, dates and integers at
 * the boundary (the API's validation, api/http/validate.ts) and the last line of defence inside
 * (the activities and the workflow's recording of its timeline). Pure and workflow-safe.
 *
 * Text: PostgreSQL's `text` and `jsonb` cannot hold U+0000 (NUL), and a lone UTF-16 surrogate
 * has no UTF-8 form (node-pg silently turns it into U+FFFD in `text`; `jsonb` refuses its `\ud800`
 * escape). Both are refused. The other C0 control characters and DEL are storable, but no
 * keyboard or phone types them into a name, a summary or a reason; they are invisible on screen,
 * break CSV exports and terminals, and usually come from a broken client or an attack — so the
 * API refuses them too (400 naming the field), keeping TAB, LF and CR for multi-line text.
 * Refusing rather than normalising: the sender learns at once, and nothing stored differs from
 * what was sent.
 *
 * Dates: years 1900–9999 (PostgreSQL has no year 0; nothing in a work order is older than the
 * hotlines), real UTC offsets (at most ±14:00) and at most millisecond precision (what a
 * JavaScript `Date` keeps, so a value read back equals the one sent). Integers: PostgreSQL
 * `integer` (int4), the type of every integer column.
 *
 * No zod here (the workflow bundle imports this module): the zod forms are in storableSchemas.ts.
 */
/** The range of a PostgreSQL `integer` column. */
export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;

/** Deeper JSON than this is refused (no schema nests more than 4 levels). */
export const MAX_NESTING = 32;

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Why `text` cannot be stored by PostgreSQL (NUL, a lone surrogate), or undefined.
 * `strict` adds the control characters the API refuses (C0 but TAB/LF/CR, and DEL).
 */
export function unstorableReason(text: string, strict = false): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return `contains U+0000 (NUL) at ${i}, which cannot be stored`;
    if (isHigh(c)) {
      if (i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      return `contains a lone surrogate U+${c.toString(16).toUpperCase()} at ${i} (not valid Unicode)`;
    }
    if (isLow(c)) return `contains a lone surrogate U+${c.toString(16).toUpperCase()} at ${i} (not valid Unicode)`;
    if (strict && ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f)) {
      return `contains the control character U+${c.toString(16).toUpperCase().padStart(4, '0')} at ${i}`;
    }
  }
  return undefined;
}

/** One value that cannot (or, `strict`, may not) be stored: its path and why. */
export interface UnstorableValue {
  path: (string | number)[];
  message: string;
}

/**
 * Every string (and object key) in `value` that cannot be stored, and any nesting deeper than
 * {@link MAX_NESTING}. Iterative, so an absurdly deep value cannot overflow the stack.
 */
export function findUnstorable(value: unknown, strict = false, limit = 20): UnstorableValue[] {
  // Nearly every value is storable: check first without building paths (every activity's input
  // and every request body pass here; the paths were most of a creation's allocation in the
  // outbox activity, issue 9), and name the paths only when something is wrong.
  return isStorable(value, strict) ? [] : unstorablePaths(value, strict, limit);
}

/** Whether {@link findUnstorable} finds nothing, without allocating per value. */
function isStorable(value: unknown, strict: boolean): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      if (unstorableReason(v, strict) !== undefined) return false;
    } else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      if (depth >= MAX_NESTING) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          values.push(v[i]);
          depths.push(depth + 1);
        }
      } else {
        for (const key in v) {
          if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
          if (unstorableReason(key, strict) !== undefined) return false;
          values.push((v as Record<string, unknown>)[key]);
          depths.push(depth + 1);
        }
      }
    }
  }
  return true;
}

function unstorablePaths(value: unknown, strict: boolean, limit: number): UnstorableValue[] {
  const found: UnstorableValue[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length && found.length < limit) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      const reason = unstorableReason(v, strict);
      if (reason) found.push({ path: item.path, message: reason });
    } else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      if (item.path.length >= MAX_NESTING) {
        found.push({ path: item.path, message: `nested deeper than ${MAX_NESTING} levels` });
        continue;
      }
      const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        if (typeof key === 'string') {
          const reason = unstorableReason(key, strict);
          if (reason) found.push({ path: [...item.path, key], message: `its name ${reason}` });
        }
        stack.push({ value: child, path: [...item.path, key] });
      }
    }
  }
  return found;
}

/** `text` with every NUL and lone surrogate replaced by U+FFFD (the replacement character). */
export function storableText(text: string): string {
  if (unstorableReason(text) === undefined) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isHigh(c) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      out += text[i] + text[i + 1];
      i++;
    } else if (c === 0 || isHigh(c) || isLow(c)) out += '\ufffd';
    else out += text[i];
  }
  return out;
}

/**
 * A copy of `value` in which every string (and key) can be stored ({@link storableText}). For the
 * workflow's last resort: a timeline with a U+FFFD beats a timeline that never moves again.
 */
export function toStorable<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return storableText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

// ---- Dates --------------------------------------------------------------------------------------

const MIN_YEAR = 1900;
const MAX_YEAR = 9999;
const MAX_OFFSET_MINUTES = 14 * 60;

/** Why an ISO 8601 date or date-time cannot be taken, or undefined. */
export function unsaneDateReason(text: string): string | undefined {
  const year = Number(text.slice(0, 4));
  if (!(year >= MIN_YEAR && year <= MAX_YEAR)) return `the year must be ${MIN_YEAR}–${MAX_YEAR}`;
  if (text.length > 10) {
    const offset = /([+-])(\d{2}):?(\d{2})$/.exec(text);
    if (offset && Number(offset[2]) * 60 + Number(offset[3]) > MAX_OFFSET_MINUTES) return 'a UTC offset is at most ±14:00';
    const fraction = /\.(\d+)/.exec(text);
    if (fraction && fraction[1].length > 3) return 'at most millisecond precision (3 decimals)';
    if (!Number.isFinite(Date.parse(text))) return 'not a real instant';
  }
  return undefined;
}
