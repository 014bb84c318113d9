/** `t('a.b', { n: 1 })`: the zh-CN text at a dotted key, with `{n}` filled in. */
import zh from './locales/zh-CN.js';

export function t(key, vars = {}) {
  let value = key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), zh);
  if (typeof value !== 'string') return key;
  for (const [k, v] of Object.entries(vars)) value = value.replaceAll(`{${k}}`, String(v));
  return value;
}

/** The label of an enum value (`label('stages', 'handling')` → 办理中), or the value itself. */
export const label = (group, value) => (value == null ? '' : (zh[group] && zh[group][value]) || value);

/** The whole group, for select options: [{ value, label }]. */
export const options = (group) => Object.entries(zh[group]).map(([value, text]) => ({ value, label: text }));

export { zh };
