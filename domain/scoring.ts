/**
 * Monthly unit scoring (承办单位考核): the rates of every unit and its score under a scheme.
 *
 * Pure and workflow-safe. Input is one {@link UnitTicketFacts} row per work order per unit it was
 * dispatched to (main or co): main and co-units share responsibility for the rates (003 附件2
 * "主协办同责"), so each row counts fully for its unit, a co-unit's row carrying the work order's
 * completion, contact and callback facts; deadline deductions fall on the main unit only.
 *
 * ## Which rows count in month M (local time, UTC+8 by default)
 * - volume (承办工单量): rows dispatched in M.
 * - on-time sign rate: rows whose sign deadline falls in M (and before `asOf`); on time when
 *   signed at or before the deadline. Unsigned at `asOf` = late.
 * - on-time completion rate (按时办结率 = 按时办结数/应办结数, 003): rows whose completion deadline
 *   (after any extension) falls in M; on time when replied at or before it.
 * - completion rate (办结率, 002): the same rows; done when replied by the end of M (late or not).
 * - callback rates (first contact, resolution, satisfaction): rows closed in M with a callback
 *   rating, minus the excluded ones (004 第十八条; 存电 of 003 第九条).
 * A rate with an empty denominator is `null`, and schemes then give the item full points
 * (nothing was missed).
 */
import { z } from 'zod';
import { defaultSatisfactionGrades, gradeCounts, type SatisfactionGrade } from './scoring/grades';
import { satisfactionSchema, type Category, type ResultType, type Satisfaction, type Urgency } from './workorder';

/** Events a per-event deduction can count, each derived from a {@link UnitTicketFacts} row. */
export const scoringEvents = [
  'lateSign', // 未及时签收: sign deadline due, not signed by it
  'lateReturn', // 未及时退回 / 退回未说明理由
  'returnedWithinDuty', // 本属职能范围却作为回退件处理 (000), 职责内仍申请退单 (003)
  'overdue', // 超期未办结
  'overdueWithoutExtension', // 没有申请获准延期而逾期回复 (002)
  'urgedAndStillOverdue', // 被催办而又超期未办结 (000)
  'urgedTwiceStillOverdue', // 连续2次催办无结果 (001)
  'overdueAfterExtension', // 经延期办理而又超期未办结 (000)
  'supervisedStillOverdue', // 接到督办通知后仍未落实 (000 附件2 五.3): a deadline after the 督办 missed
  'extensionNotNotified', // 未将延期办理时限和理由告知反映人 (000 附件2 四.4)
  'sentBackForRehandling', // 因办理结果达不到要求被发回重办, per re-handle (000)
  'unsatisfied', // 反映人对合理诉求的办理结果不满意 (000), exclusions not counted
  // Entered by a supervisor with a reason (no stored fact shows them): see manualScoringEvents.
  'extensionMisused', // 000 附件2 四.4 未提前申请或申请未通过仍按延期办理
  'notRepliedAtCallback', // 000 附件2 四.5 经回访发现未答复、反馈的
  'feedbackInconsistent', // 000 附件2 四.5 反馈情况与实际办理结果不一致
  'onSiteOrMediaStillUndone', // 000 附件2 五.4 被现场督办或媒体曝光后仍该办不办
  'cityOrLeaderSupervised', // 000 附件2 五.5 被市级单位督办或被主要领导批示督办
  'heldAccountable', // 000 附件2 五.6 因推诿扯皮、工作不力、不作为等被追究责任
  'rudeToHotline', // 000 附件2 六.1 接到热线办电话时态度生硬、推诿应付
  'importantIssueMishandled', // 000 附件2 六.2 重要问题未能及时妥善处理, 造成不良影响
  'confidentialityBreach', // 000 附件2 六.3 因失密、泄密致使来电人受到打击报复
  'coordinationAbsent', // 000 附件2 六.4 不积极参加现场督办, 不按时参加协调会、联席会议
] as const;
export type ScoringEvent = (typeof scoringEvents)[number];

/**
 * The events a supervisor enters by hand, with a reason: the seeds score them, but no stored
 * fact of a work order shows them (a person's judgement, a media report, a meeting missed).
 */
export const manualScoringEvents = [
  'extensionMisused',
  'notRepliedAtCallback',
  'feedbackInconsistent',
  'onSiteOrMediaStillUndone',
  'cityOrLeaderSupervised',
  'heldAccountable',
  'rudeToHotline',
  'importantIssueMishandled',
  'confidentialityBreach',
  'coordinationAbsent',
] as const satisfies readonly ScoringEvent[];
export type ManualScoringEvent = (typeof manualScoringEvents)[number];

/** One event entered by a supervisor: counted in the month of `at`. */
export interface ManualEvent {
  unitId: string;
  event: ManualScoringEvent;
  at: string;
  /** The work order it concerns, if any (shown beside the deduction). */
  workOrderId?: string;
}

/** The zod schema of a {@link SatisfactionGrade} (the type and helpers: domain/scoring/grades.ts). */
export const satisfactionGradeSchema = z.strictObject({
  grade: satisfactionSchema,
  label: z.string().min(1),
  counts: z.enum(['satisfied', 'neutral', 'unsatisfied']),
});
export const satisfactionGradesSchema = z
  .array(satisfactionGradeSchema)
  .min(1)
  .refine((g) => new Set(g.map((x) => x.grade)).size === g.length, 'each grade once');
export { defaultSatisfactionGrades, gradeCounts, type SatisfactionGrade };

/** The unit rates a threshold can be set on. */
export const rateNames = ['onTimeSign', 'onTimeCompletion', 'completion', 'firstContact', 'resolution', 'satisfaction'] as const;
export type RateName = (typeof rateNames)[number];

const points = z.number().min(0).max(1000);
const eventDeduction = z.strictObject({ event: z.enum(scoringEvents), points });

/** 003: weighted formulas (承办工单量 5, 及时处置率 10, 先行联系率 25, 诉求解决率 30, 市民满意率 30). */
export const weightedFormulasSchemeSchema = z.strictObject({
  kind: z.literal('weightedFormulas'),
  weights: z.strictObject({ volume: points, timely: points, firstContact: points, resolution: points, satisfaction: points }),
  /** Credit per result type, out of 100 (实际解决 100, 解释说明 100, 参考备案 70, others 0). */
  resolutionCredit: z.record(z.enum(['resolved', 'explained', 'demandTooHigh', 'notedForReference', 'unresolved']), z.number().min(0).max(100)),
  /** Credit per satisfaction grade, out of 100 (满意 100, 基本满意 80, 一般 60, 不满意 0). */
  satisfactionCredit: z.record(z.enum(['satisfied', 'basicallySatisfied', 'neutral', 'unsatisfied']), z.number().min(0).max(100)),
  /** Share of the volume weight the lowest-volume unit gets (0.5); the highest gets all. */
  volumeLowestShare: z.number().min(0).max(1),
});

/** 002 (and 001): rate targets with points lost per step short, and per-event deductions, per item. */
export const thresholdsSchemeSchema = z.strictObject({
  kind: z.literal('thresholds'),
  items: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        /** The item's points; deductions stop at zero (扣完为止). */
        maxPoints: points,
        /** e.g. 办结率 ≥ 95 %: −1 point per 2 percentage points short. */
        targets: z
          .array(
            z.strictObject({
              rate: z.enum(rateNames),
              target: z.number().min(0).max(1),
              stepPercentagePoints: z.number().positive(),
              pointsPerStep: points,
            }),
          )
          .default([]),
        events: z.array(eventDeduction).default([]),
      }),
    )
    .min(1),
  /** 001 第四条(四)4: +points per this many tickets handled (每办理10件加1分). */
  volumeBonus: z.strictObject({ perTickets: z.number().int().positive(), points }).optional(),
});

/** 000: per-event deductions from item caps, plus points by volume rank. */
export const deductionsSchemeSchema = z.strictObject({
  kind: z.literal('deductions'),
  items: z.array(z.strictObject({ id: z.string().min(1), maxPoints: points, events: z.array(eventDeduction).min(1) })).min(1),
  /** Volume rank bands, in order: rank ≤ `upToRank` earns `points`; the last band has no bound. */
  volumeRankPoints: z.array(z.strictObject({ upToRank: z.number().int().positive().nullable(), points })),
});

/** 004: 三率一度 (按时签收率, 按时办结率, 问题解决率, 群众满意度), with the exclusions of 第十八条. */
export const threeRatesOneDegreeSchemeSchema = z.strictObject({
  kind: z.literal('threeRatesOneDegree'),
  weights: z.strictObject({ onTimeSign: points, onTimeCompletion: points, resolution: points, satisfaction: points }),
  /** Which callback ratings are left out of resolution and satisfaction. */
  exclusions: z.array(z.enum(['suggestionNotAdopted', 'noPolicyBasisExplainedRepeatedly', 'storedRepeatComplaint'])),
});

/** A scoring scheme: one of the four the seeds describe. */
export const scoringSchemeSchema = z.discriminatedUnion('kind', [
  weightedFormulasSchemeSchema,
  thresholdsSchemeSchema,
  deductionsSchemeSchema,
  threeRatesOneDegreeSchemeSchema,
]);
export type ScoringScheme = z.infer<typeof scoringSchemeSchema>;
export type ScoringSchemeInput = z.input<typeof scoringSchemeSchema>;

/** Why a callback rating is left out of the rates (004 第十八条; 存电 003 第九条). */
export type RatingExclusion = 'suggestionNotAdopted' | 'noPolicyBasisExplainedRepeatedly' | 'storedRepeatComplaint';

/**
 * The facts of one work order for one unit it was dispatched to. Times are ISO-8601 strings
 * (with offset) or null when the thing has not happened / does not apply.
 */
export interface UnitTicketFacts {
  workOrderId: string;
  unitId: string;
  /** 主办 or 协办; both count fully (主协办同责, 003). */
  role: 'main' | 'co';
  category: Category;
  urgency: Urgency;
  /** When the unit received it (派单). */
  dispatchedAt: string;
  signDeadline: string | null;
  signedAt: string | null;
  /** The unit returned (退单) it after the return window, or without a reason. */
  returnedLate: boolean;
  /** The unit asked to return a ticket within its statutory duty (003 督办 trigger, 000 −1). */
  returnedWithinDuty: boolean;
  /**
   * Deadlines (ISO) of the unit's obligations that fell after a 督办 notice and were missed (000
   * 附件2 五.3 接到《督办通知》后...仍落实不到位): the overdue that opened the 督办 is not one of them.
   * Absent: none.
   */
  missedAfterSupervision?: string[];
  /** An approved extension was not told to the citizen (000 附件2 四.4). Absent: false. */
  extensionNotNotified?: boolean;
  firstContactDeadline: string | null;
  firstContactAt: string | null;
  /** The completion deadline in force (after an approved extension, the extended one). */
  completionDeadline: string | null;
  repliedAt: string | null;
  /** An extension was approved. */
  extended: boolean;
  /** How many times its completion was urged (催办) before being overdue (000 五.1, 001 四(四)6). */
  urgeCount: number;
  /** It was under 督办. */
  supervised: boolean;
  /** How many times it was sent back for re-handling (重办). */
  rehandleCount: number;
  /** The reply's result type (the unit's own word). */
  resultType: ResultType | null;
  /**
   * 市民测评 at callback (003 附件2 诉求解决率: the citizen's 实际解决/解释说明/参考备案...). Absent or
   * null: the citizen's `resolved` answer decides (resolved → 实际解决, else 未解决).
   */
  citizenResultType?: ResultType | null;
  /** Callback answers; null when there was no callback (yet). */
  contactedFirst: boolean | null;
  resolved: boolean | null;
  satisfaction: Satisfaction | null;
  exclusion: RatingExclusion | null;
  /** 结案 (after callback). */
  closedAt: string | null;
}

/** The unit's rates for the month: share in [0, 1], or null when nothing was due. */
export interface UnitRates {
  onTimeSign: number | null;
  onTimeCompletion: number | null;
  completion: number | null;
  firstContact: number | null;
  resolution: number | null;
  satisfaction: number | null;
}

/** One unit's month. */
export interface UnitScore {
  unitId: string;
  month: string;
  /** Rows dispatched in the month (承办工单量). */
  volume: number;
  /** 1 = highest volume; ties share the better rank (1, 1, 3). */
  volumeRank: number;
  rates: UnitRates;
  /** Numerators and denominators behind the rates, and event counts. */
  counts: {
    signDue: number;
    signedOnTime: number;
    completionDue: number;
    completedOnTime: number;
    completed: number;
    rated: number;
    excluded: number;
    contactedFirst: number;
    resolved: number;
    satisfied: number;
    events: Record<ScoringEvent, number>;
  };
  scheme: ScoringScheme['kind'];
  /** Points per item of the scheme, and the total in `score`. */
  breakdown: Record<string, number>;
  score: number;
  /** With `trace`: every row that cost the unit something (an event, a missed rate). */
  causes?: ScoreCause[];
}

/**
 * What cost a unit points, row by row (issue 14: each deduction links to its work order): an
 * event counted, or a row that lowered a rate (`credit` 0–100 where a scheme gives part credit,
 * 003's resolution and satisfaction).
 */
export type ScoreCause =
  | { kind: 'event'; event: ScoringEvent; workOrderId?: string; count?: number }
  | { kind: 'rate'; rate: RateName; workOrderId: string; credit?: number };

/** Options of {@link scoreUnits}. */
export interface ScoreOptions {
  /** Month boundaries are local midnight at this offset; 480 (UTC+8) by default. */
  utcOffsetMinutes?: number;
  /** Evaluate as of this instant (ISO); default the end of the month. Deadlines after it are not due yet. */
  asOf?: string;
  /** The profile's satisfaction grades (what each counts as); default the four of 003. */
  satisfactionGrades?: readonly SatisfactionGrade[];
  /** Events entered by supervisors (000 附件2 四.4–六), counted in the month of their `at`. */
  manualEvents?: readonly ManualEvent[];
  /** Record {@link UnitScore.causes}: which rows cost what (the supervisor's breakdown). */
  trace?: boolean;
}

/** Which rating exclusions a scheme leaves out of the callback rates. */
export function excludedRatings(scheme: ScoringScheme): readonly RatingExclusion[] {
  switch (scheme.kind) {
    case 'threeRatesOneDegree':
      return scheme.exclusions; // 004 第十八条 (+ 存电)
    case 'weightedFormulas':
      return ['storedRepeatComplaint']; // 003 第九条: 存电 不纳入热线满意度测评
    default:
      // 000 deducts only for 合理诉求 (附件2 四.5), 002 is silent: assumed all three.
      return ['suggestionNotAdopted', 'noPolicyBasisExplainedRepeatedly', 'storedRepeatComplaint'];
  }
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * The event counters of one row: `ev.x++` / `ev.x += n` count as before and, with a trace, also
 * record which work order caused it.
 */
function countingEvents(events: Record<ScoringEvent, number>, causes: ScoreCause[] | undefined, workOrderId: string): Record<ScoringEvent, number> {
  if (!causes) return events;
  return new Proxy(events, {
    set(target, key, value: number) {
      const event = key as ScoringEvent;
      const added = value - target[event];
      target[event] = value;
      if (added > 0) causes.push(added === 1 ? { kind: 'event', event, workOrderId } : { kind: 'event', event, workOrderId, count: added });
      return true;
    },
  });
}

function time(iso: string | null, field: string, row: UnitTicketFacts): number | null {
  if (iso === null || iso === undefined) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`scoreUnits: ${field} of ${row.workOrderId}/${row.unitId} is not a date: '${iso}'`);
  return ms;
}

function emptyEvents(): Record<ScoringEvent, number> {
  return Object.fromEntries(scoringEvents.map((e) => [e, 0])) as Record<ScoringEvent, number>;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);
const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

interface Tally {
  unitId: string;
  volume: number;
  counts: UnitScore['counts'];
  resolutionCredit: number; // Σ credit of 003's formula
  satisfactionCredit: number;
  causes: ScoreCause[];
}

/**
 * Scores every unit that appears in `facts` for `month` (`'YYYY-MM'`) under `scheme`, and
 * reports its rates. Returns one {@link UnitScore} per unit, best score first (ties by unit id).
 * See the module doc for which rows count; per-event counts: return events by dispatch month,
 * deadline events by deadline month, re-handling and unsatisfied by close month.
 *
 * Scheme rules (assumptions where the seed is silent are marked):
 * - weightedFormulas (003 附件2): volume = w·(share + (1−share)·(v−min)/(max−min)) (linear between
 *   lowest and highest: assumed; all equal → full); timely = w·onTimeCompletion; firstContact =
 *   w·firstContact; resolution = w·Σcredit/(rated·100); satisfaction = w·Σcredit/(rated·100).
 * - thresholds (002, 001): per item, maxPoints − Σ whole steps short of each target (a step not
 *   completed costs nothing: assumed) − Σ events·points, floored at 0; plus the volume bonus.
 * - deductions (000): per item, maxPoints − Σ events·points, floored at 0; plus volume-rank points.
 * - threeRatesOneDegree (004): Σ weight·rate, resolution = citizen says resolved, satisfaction =
 *   满意 or 基本满意 (assumed), exclusions left out of both.
 *
 * @throws RangeError on a malformed month or time.
 */
export function scoreUnits(month: string, facts: UnitTicketFacts[], scheme: ScoringScheme, options: ScoreOptions = {}): UnitScore[] {
  const m = MONTH.exec(month);
  if (!m) throw new RangeError(`scoreUnits: month must be 'YYYY-MM', got '${month}'`);
  const offset = (options.utcOffsetMinutes ?? 480) * 60_000;
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) - offset;
  const end = Date.UTC(Number(m[1]), Number(m[2]), 1) - offset;
  const asOf = options.asOf === undefined ? end : Date.parse(options.asOf);
  if (Number.isNaN(asOf)) throw new RangeError(`scoreUnits: asOf is not a date: '${options.asOf}'`);
  const cutoff = Math.min(end, asOf);
  const inMonth = (t: number | null): t is number => t !== null && t >= start && t < end && t <= cutoff;
  const done = (t: number | null, by: number): boolean => t !== null && t <= by && t <= cutoff;
  const excluded = new Set(excludedRatings(scheme));
  const grades = options.satisfactionGrades ?? defaultSatisfactionGrades;
  // 001 四(四)4 每办理10件加1分, 体现全年的工作量: the bonus counts over the assessment year. Rows
  // dispatched from 1 January (local) to the end of the month: the month earns the bonus points
  // its tickets complete (⌊year-to-date/10⌋ − ⌊year-to-date before the month/10⌋), so the months
  // of a year add up to ⌊year's volume/10⌋ and nothing is lost to rounding each month.
  const yearStart = Date.UTC(Number(m[1]), 0, 1) - offset;
  const volumeBefore = new Map<string, number>();

  const tallies = new Map<string, Tally>();
  const tally = (unitId: string): Tally => {
    let t = tallies.get(unitId);
    if (!t) {
      t = {
        unitId,
        volume: 0,
        counts: {
          signDue: 0, signedOnTime: 0, completionDue: 0, completedOnTime: 0, completed: 0,
          rated: 0, excluded: 0, contactedFirst: 0, resolved: 0, satisfied: 0, events: emptyEvents(),
        },
        resolutionCredit: 0,
        satisfactionCredit: 0,
        causes: [],
      };
      tallies.set(unitId, t);
    }
    return t;
  };

  for (const row of facts) {
    const dispatchedAt = time(row.dispatchedAt, 'dispatchedAt', row);
    if (dispatchedAt !== null && dispatchedAt >= yearStart && dispatchedAt < start) {
      volumeBefore.set(row.unitId, (volumeBefore.get(row.unitId) ?? 0) + 1);
      // Closed before the month: only the year's volume above needs it.
      const closed = time(row.closedAt, 'closedAt', row);
      if (closed !== null && closed < start) continue;
    }
    const t = tally(row.unitId);
    const c = t.counts;
    const ev = countingEvents(c.events, options.trace ? t.causes : undefined, row.workOrderId);
    const rateMissed = (rate: RateName, credit?: number) => {
      if (options.trace) t.causes.push(credit === undefined ? { kind: 'rate', rate, workOrderId: row.workOrderId } : { kind: 'rate', rate, workOrderId: row.workOrderId, credit });
    };
    if (inMonth(dispatchedAt)) {
      t.volume++;
      if (row.returnedLate) ev.lateReturn++;
      if (row.returnedWithinDuty) ev.returnedWithinDuty++;
    }

    const signDeadline = time(row.signDeadline, 'signDeadline', row);
    if (inMonth(signDeadline)) {
      c.signDue++;
      if (done(time(row.signedAt, 'signedAt', row), signDeadline)) c.signedOnTime++;
      else {
        ev.lateSign++;
        rateMissed('onTimeSign');
      }
    }

    const completionDeadline = time(row.completionDeadline, 'completionDeadline', row);
    if (inMonth(completionDeadline)) {
      c.completionDue++;
      const repliedAt = time(row.repliedAt, 'repliedAt', row);
      if (done(repliedAt, end)) c.completed++;
      else rateMissed('completion');
      if (done(repliedAt, completionDeadline)) c.completedOnTime++;
      else rateMissed('onTimeCompletion');
      if (!done(repliedAt, completionDeadline) && row.role !== 'co') {
        // 主协办同责 (003 附件2) shares the rates; a per-event deduction falls on the main unit,
        // whose deadline it was (assumed: no seed deducts a co-unit for the main unit's lateness).
        ev.overdue++;
        if (row.extended) ev.overdueAfterExtension++;
        else ev.overdueWithoutExtension++;
        if (row.urgeCount >= 1) ev.urgedAndStillOverdue++;
        if (row.urgeCount >= 2) ev.urgedTwiceStillOverdue++;
      }
    }
    // 000 附件2 五.3: a failure after the 督办 notice, by the month of the deadline missed.
    for (const missed of row.missedAfterSupervision ?? []) {
      if (inMonth(time(missed, 'missedAfterSupervision', row))) ev.supervisedStillOverdue++;
    }
    // 000 附件2 四.4: by the month the unit received it.
    if (row.extensionNotNotified && inMonth(dispatchedAt)) ev.extensionNotNotified++;

    const closedAt = time(row.closedAt, 'closedAt', row);
    if (inMonth(closedAt)) {
      ev.sentBackForRehandling += row.rehandleCount;
      if (row.satisfaction !== null) {
        if (row.exclusion !== null && excluded.has(row.exclusion)) {
          c.excluded++;
        } else {
          c.rated++;
          const contactDeadline = time(row.firstContactDeadline, 'firstContactDeadline', row);
          const contactedAt = time(row.firstContactAt, 'firstContactAt', row);
          const contacted = row.contactedFirst ?? (contactDeadline !== null && contactedAt !== null && contactedAt <= contactDeadline);
          if (contacted) c.contactedFirst++;
          else rateMissed('firstContact');
          const resolved = row.resolved ?? row.resultType === 'resolved';
          if (resolved) c.resolved++;
          const counts = gradeCounts(row.satisfaction, grades);
          if (counts === 'satisfied') c.satisfied++;
          if (counts === 'unsatisfied') ev.unsatisfied++;
          if (scheme.kind === 'weightedFormulas') {
            // 003 附件2 诉求解决率: 根据回访情况计分, 市民测评 — the citizen's verdict, not the reply's type.
            const citizen: ResultType = row.citizenResultType ?? (row.resolved === false ? 'unresolved' : row.resolved === true ? 'resolved' : (row.resultType ?? 'unresolved'));
            const resolutionCredit = scheme.resolutionCredit[citizen] ?? 0;
            const satisfactionCredit = (scheme.satisfactionCredit as Partial<Record<Satisfaction, number>>)[row.satisfaction] ?? 0;
            t.resolutionCredit += resolutionCredit;
            t.satisfactionCredit += satisfactionCredit;
            if (resolutionCredit < 100) rateMissed('resolution', resolutionCredit);
            if (satisfactionCredit < 100) rateMissed('satisfaction', satisfactionCredit);
          } else {
            if (!resolved) rateMissed('resolution');
            if (counts !== 'satisfied') rateMissed('satisfaction');
          }
        }
      }
    }
  }

  for (const e of options.manualEvents ?? []) {
    const at = Date.parse(e.at);
    if (Number.isNaN(at)) throw new RangeError(`scoreUnits: manual event of ${e.unitId} has no date: '${e.at}'`);
    if (inMonth(at)) {
      const t = tally(e.unitId);
      t.counts.events[e.event]++;
      if (options.trace) t.causes.push(e.workOrderId ? { kind: 'event', event: e.event, workOrderId: e.workOrderId } : { kind: 'event', event: e.event });
    }
  }

  const all = [...tallies.values()];
  const volumes = all.map((t) => t.volume);
  const maxVolume = Math.max(...volumes);
  const minVolume = Math.min(...volumes);

  const scores = all.map((t): UnitScore => {
    const c = t.counts;
    const rates: UnitRates = {
      onTimeSign: ratio(c.signedOnTime, c.signDue),
      onTimeCompletion: ratio(c.completedOnTime, c.completionDue),
      completion: ratio(c.completed, c.completionDue),
      firstContact: ratio(c.contactedFirst, c.rated),
      resolution: ratio(c.resolved, c.rated),
      satisfaction: ratio(c.satisfied, c.rated),
    };
    const volumeRank = 1 + volumes.filter((v) => v > t.volume).length;
    const breakdown: Record<string, number> = {};
    switch (scheme.kind) {
      case 'weightedFormulas': {
        const w = scheme.weights;
        const share = maxVolume === minVolume ? 1 : scheme.volumeLowestShare + (1 - scheme.volumeLowestShare) * ((t.volume - minVolume) / (maxVolume - minVolume));
        breakdown.volume = w.volume * share;
        breakdown.timely = w.timely * (rates.onTimeCompletion ?? 1);
        breakdown.firstContact = w.firstContact * (rates.firstContact ?? 1);
        breakdown.resolution = w.resolution * (c.rated ? t.resolutionCredit / (c.rated * 100) : 1);
        breakdown.satisfaction = w.satisfaction * (c.rated ? t.satisfactionCredit / (c.rated * 100) : 1);
        break;
      }
      case 'thresholds': {
        for (const item of scheme.items) {
          let lost = 0;
          for (const target of item.targets) {
            const rate = rates[target.rate];
            if (rate === null) continue;
            const shortPp = (target.target - rate) * 100;
            const steps = Math.floor(shortPp / target.stepPercentagePoints + 1e-9);
            if (steps > 0) lost += steps * target.pointsPerStep;
          }
          for (const e of item.events) lost += c.events[e.event] * e.points;
          breakdown[item.id] = Math.max(0, item.maxPoints - lost);
        }
        if (scheme.volumeBonus) {
          const per = scheme.volumeBonus.perTickets;
          const before = volumeBefore.get(t.unitId) ?? 0;
          breakdown.volumeBonus = (Math.floor((before + t.volume) / per) - Math.floor(before / per)) * scheme.volumeBonus.points;
        }
        break;
      }
      case 'deductions': {
        for (const item of scheme.items) {
          const lost = item.events.reduce((s, e) => s + c.events[e.event] * e.points, 0);
          breakdown[item.id] = Math.max(0, item.maxPoints - lost);
        }
        const band = scheme.volumeRankPoints.find((b) => b.upToRank === null || volumeRank <= b.upToRank);
        breakdown.volumeRank = band ? band.points : 0;
        break;
      }
      case 'threeRatesOneDegree': {
        const w = scheme.weights;
        breakdown.onTimeSign = w.onTimeSign * (rates.onTimeSign ?? 1);
        breakdown.onTimeCompletion = w.onTimeCompletion * (rates.onTimeCompletion ?? 1);
        breakdown.resolution = w.resolution * (rates.resolution ?? 1);
        breakdown.satisfaction = w.satisfaction * (rates.satisfaction ?? 1);
        break;
      }
    }
    for (const k of Object.keys(breakdown)) breakdown[k] = round4(breakdown[k]);
    const score = round4(Object.values(breakdown).reduce((s, x) => s + x, 0));
    const scored: UnitScore = { unitId: t.unitId, month, volume: t.volume, volumeRank, rates, counts: c, scheme: scheme.kind, breakdown, score };
    if (options.trace) scored.causes = t.causes;
    return scored;
  });
  return scores.sort((a, b) => b.score - a.score || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
}
