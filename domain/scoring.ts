/**
 * Monthly unit scoring (承办单位考核): the rates of every unit and its score under a scheme.
 *
 * Pure and workflow-safe. Input is one {@link UnitTicketFacts} row per work order per unit it was
 * dispatched to (main or co): main and co-units share responsibility for the rates (003 附件2
 * "主协办同责"), so each row counts fully for its unit.
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
import type { Category, ResultType, Satisfaction, Urgency } from './workorder';

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
  'supervisedStillOverdue', // 接到督办通知后仍未落实 (000)
  'sentBackForRehandling', // 因办理结果达不到要求被发回重办, per re-handle (000)
  'unsatisfied', // 反映人对合理诉求的办理结果不满意 (000), exclusions not counted
] as const;
export type ScoringEvent = (typeof scoringEvents)[number];

/** The unit rates a threshold can be set on. */
export const rateNames = ['onTimeSign', 'onTimeCompletion', 'completion', 'firstContact', 'resolution', 'satisfaction'] as const;
export type RateName = (typeof rateNames)[number];

const points = z.number().min(0).max(1000);
const eventDeduction = z.object({ event: z.enum(scoringEvents), points });

/** 003: weighted formulas (承办工单量 5, 及时处置率 10, 先行联系率 25, 诉求解决率 30, 市民满意率 30). */
export const weightedFormulasSchemeSchema = z.object({
  kind: z.literal('weightedFormulas'),
  weights: z.object({ volume: points, timely: points, firstContact: points, resolution: points, satisfaction: points }),
  /** Credit per result type, out of 100 (实际解决 100, 解释说明 100, 参考备案 70, others 0). */
  resolutionCredit: z.record(z.enum(['resolved', 'explained', 'demandTooHigh', 'notedForReference', 'unresolved']), z.number().min(0).max(100)),
  /** Credit per satisfaction grade, out of 100 (满意 100, 基本满意 80, 一般 60, 不满意 0). */
  satisfactionCredit: z.record(z.enum(['satisfied', 'basicallySatisfied', 'neutral', 'unsatisfied']), z.number().min(0).max(100)),
  /** Share of the volume weight the lowest-volume unit gets (0.5); the highest gets all. */
  volumeLowestShare: z.number().min(0).max(1),
});

/** 002 (and 001): rate targets with points lost per step short, and per-event deductions, per item. */
export const thresholdsSchemeSchema = z.object({
  kind: z.literal('thresholds'),
  items: z
    .array(
      z.object({
        id: z.string().min(1),
        /** The item's points; deductions stop at zero (扣完为止). */
        maxPoints: points,
        /** e.g. 办结率 ≥ 95 %: −1 point per 2 percentage points short. */
        targets: z
          .array(
            z.object({
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
  volumeBonus: z.object({ perTickets: z.number().int().positive(), points }).optional(),
});

/** 000: per-event deductions from item caps, plus points by volume rank. */
export const deductionsSchemeSchema = z.object({
  kind: z.literal('deductions'),
  items: z.array(z.object({ id: z.string().min(1), maxPoints: points, events: z.array(eventDeduction).min(1) })).min(1),
  /** Volume rank bands, in order: rank ≤ `upToRank` earns `points`; the last band has no bound. */
  volumeRankPoints: z.array(z.object({ upToRank: z.number().int().positive().nullable(), points })),
});

/** 004: 三率一度 (按时签收率, 按时办结率, 问题解决率, 群众满意度), with the exclusions of 第十八条. */
export const threeRatesOneDegreeSchemeSchema = z.object({
  kind: z.literal('threeRatesOneDegree'),
  weights: z.object({ onTimeSign: points, onTimeCompletion: points, resolution: points, satisfaction: points }),
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
  firstContactDeadline: string | null;
  firstContactAt: string | null;
  /** The completion deadline in force (after an approved extension, the extended one). */
  completionDeadline: string | null;
  repliedAt: string | null;
  /** An extension was approved. */
  extended: boolean;
  /** How many times it was urged (催办). */
  urgeCount: number;
  /** It was under 督办. */
  supervised: boolean;
  /** How many times it was sent back for re-handling (重办). */
  rehandleCount: number;
  /** The reply's result type, as confirmed at callback. */
  resultType: ResultType | null;
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
}

/** Options of {@link scoreUnits}. */
export interface ScoreOptions {
  /** Month boundaries are local midnight at this offset; 480 (UTC+8) by default. */
  utcOffsetMinutes?: number;
  /** Evaluate as of this instant (ISO); default the end of the month. Deadlines after it are not due yet. */
  asOf?: string;
}

/**
 * Scores every unit that appears in `facts` for `month` (`'YYYY-MM'`) under `scheme`.
 * Returns one {@link UnitScore} per unit, best score first (ties by unit id).
 */
export function scoreUnits(month: string, facts: UnitTicketFacts[], scheme: ScoringScheme, options: ScoreOptions = {}): UnitScore[] {
  void month;
  void facts;
  void scheme;
  void options;
  throw new Error('scoreUnits: not implemented yet');
}
