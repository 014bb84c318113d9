/**
 * Satisfaction grades as plain data (no zod at load): what each grade counts as. Workflow-safe;
 * the workflow reads them from the profile, the scoring and the profile schema use the same.
 */
import type { Satisfaction } from '../workorder';

/**
 * One satisfaction grade a hotline offers and what it counts as: `satisfied` counts in the
 * satisfaction rate, `unsatisfied` is 不满意 (000's deduction, re-handling), `neutral` neither.
 */
export interface SatisfactionGrade {
  grade: Satisfaction;
  label: string;
  counts: 'satisfied' | 'neutral' | 'unsatisfied';
}

/** The four grades of 003 评价说明表 (满意, 基本满意, 一般, 不满意); 004 第十八条 adds 非常不满意. */
export const defaultSatisfactionGrades: SatisfactionGrade[] = [
  { grade: 'satisfied', label: '满意', counts: 'satisfied' },
  { grade: 'basicallySatisfied', label: '基本满意', counts: 'satisfied' },
  { grade: 'neutral', label: '一般', counts: 'neutral' },
  { grade: 'unsatisfied', label: '不满意', counts: 'unsatisfied' },
];

/** What a grade counts as under `grades` (a grade not listed: by its name). */
export function gradeCounts(grade: Satisfaction, grades: readonly SatisfactionGrade[] = defaultSatisfactionGrades): SatisfactionGrade['counts'] {
  const g = grades.find((x) => x.grade === grade);
  if (g) return g.counts;
  return grade === 'satisfied' || grade === 'basicallySatisfied' ? 'satisfied' : grade === 'neutral' ? 'neutral' : 'unsatisfied';
}
