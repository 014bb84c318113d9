/**
 * The API's 400 issues as Chinese sentences beside their fields: `{ 'body.name': '最多 200 个字符' }`
 * keyed by the field path without `body.` (the issue codes are zod's, and a few of the API's own).
 */
import { t, zh } from '../../i18n.js';

/** One issue → a Chinese sentence (bounds read from zod's message where it gives one). */
export function issueText(issue) {
  const m = /(>=?|<=?)\s*(-?[\d.]+)/.exec(issue.message || '');
  const text = /character/.test(issue.message || '');
  if (issue.code === 'too_small' && m) return t(text ? 'admin.issues.tooShortText' : 'admin.issues.tooSmallNumber', { n: m[1] === '>' ? Number(m[2]) : m[2] });
  if (issue.code === 'too_big' && m) return t(text ? 'admin.issues.tooLongText' : 'admin.issues.tooBigNumber', { n: m[2] });
  if (/whole number/.test(issue.message || '')) return t('admin.issues.wholeDays');
  if (/cycle/.test(issue.message || '')) return t('admin.issues.cycle');
  if (/deactivated/.test(issue.message || '')) return t('admin.issues.unit_inactive');
  if (/unknown unit/.test(issue.message || '')) return t('admin.issues.unknown_unit');
  if (/^required/.test(issue.message || '')) return t('admin.issues.required');
  return zh.admin.issues[issue.code] ? t(`admin.issues.${issue.code}`) : t('errors.fieldInvalid');
}

/** Field → sentence for every issue of an ApiError (first issue of a field wins). */
export function fieldIssues(error, prefix = 'body.') {
  const out = {};
  for (const issue of error?.issues ?? []) {
    const key = issue.path.startsWith(prefix) ? issue.path.slice(prefix.length) : issue.path.replace(/^(body|query|params)\./, '');
    out[key] ??= issueText(issue);
  }
  return out;
}
