/**
 * One unit's month split into the items of the hotline's scoring scheme, with what cost it
 * points line by line and the work order behind each line (issue 14: the supervisor follows a
 * deduction to its work order). Pure: it reads the scheme and a traced {@link UnitScore}.
 *
 * Per scheme (domain/scoring.ts computes the points; this only explains them):
 * - thresholds (002, 001): an item loses whole steps under each target (the rate's shortfall, the
 *   work orders that missed it listed without points: a step is not one work order) and
 *   `points` per event (each event one work order); deductions stop at zero (扣完为止).
 * - deductions (000): `points` per event; volume-rank points (附件2 一) as their own item.
 * - weightedFormulas (003 附件2) and threeRatesOneDegree (004): an item is weight × rate, so each
 *   work order that missed the rate costs weight ÷ denominator (× the credit it lacked, 003).
 */
import type { RateName, ScoreCause, ScoringEvent, ScoringScheme, UnitScore } from '../../domain/scoring';

/** One thing that cost points: an event, a work order that lowered a rate, or a rate's shortfall. */
export interface BreakdownLine {
  kind: 'event' | 'rate' | 'target';
  event?: ScoringEvent;
  rate?: RateName;
  workOrderId?: string;
  /** How many times (an event counted more than once on one work order, e.g. 重办 twice). */
  count?: number;
  /** Points this line cost; null when a step deduction cannot be split by work order. */
  points: number | null;
  /** For `target`: the rate's target and its value this month. */
  target?: number;
  actual?: number | null;
}

export interface BreakdownItem {
  /** The scheme's item id (e.g. `onTimeCompletion`, `timeliness`, `volumeBonus`). */
  id: string;
  /** The item's full points; null for a bonus with no ceiling. */
  maxPoints: number | null;
  points: number;
  lines: BreakdownLine[];
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

function eventLines(causes: ScoreCause[], events: readonly { event: ScoringEvent; points: number }[]): BreakdownLine[] {
  const pointsOf = new Map(events.map((e) => [e.event, e.points]));
  const lines: BreakdownLine[] = [];
  for (const c of causes) {
    if (c.kind !== 'event' || !pointsOf.has(c.event)) continue;
    const count = c.count ?? 1;
    lines.push({ kind: 'event', event: c.event, ...(c.workOrderId ? { workOrderId: c.workOrderId } : {}), ...(count > 1 ? { count } : {}), points: round4(pointsOf.get(c.event)! * count) });
  }
  return lines;
}

/** Each work order that missed `rate` costs `weight / denominator` × the share of credit it lacked. */
function rateLines(causes: ScoreCause[], rate: RateName, weight: number, denominator: number): BreakdownLine[] {
  if (denominator === 0) return [];
  return causes
    .filter((c): c is Extract<ScoreCause, { kind: 'rate' }> => c.kind === 'rate' && c.rate === rate)
    .map((c) => ({ kind: 'rate' as const, rate, workOrderId: c.workOrderId, points: round4((weight / denominator) * (1 - (c.credit ?? 0) / 100)) }));
}

/** The unit's items under `scheme`; `score` must come from a report made with `trace`. */
export function scoreBreakdown(scheme: ScoringScheme, score: UnitScore): BreakdownItem[] {
  const causes = score.causes ?? [];
  const c = score.counts;
  const b = score.breakdown;
  switch (scheme.kind) {
    case 'thresholds': {
      const items: BreakdownItem[] = scheme.items.map((item) => {
        const lines: BreakdownLine[] = [];
        for (const t of item.targets) {
          const actual = score.rates[t.rate];
          const steps = actual === null ? 0 : Math.max(0, Math.floor(((t.target - actual) * 100) / t.stepPercentagePoints + 1e-9));
          if (steps === 0) continue;
          lines.push({ kind: 'target', rate: t.rate, target: t.target, actual, points: steps * t.pointsPerStep });
          lines.push(...rateLines(causes, t.rate, 0, 1).map((l) => ({ ...l, points: null })));
        }
        lines.push(...eventLines(causes, item.events));
        return { id: item.id, maxPoints: item.maxPoints, points: b[item.id] ?? 0, lines };
      });
      if (scheme.volumeBonus) items.push({ id: 'volumeBonus', maxPoints: null, points: b.volumeBonus ?? 0, lines: [] });
      return items;
    }
    case 'deductions': {
      const items: BreakdownItem[] = scheme.items.map((item) => ({ id: item.id, maxPoints: item.maxPoints, points: b[item.id] ?? 0, lines: eventLines(causes, item.events) }));
      const top = Math.max(0, ...scheme.volumeRankPoints.map((band) => band.points));
      items.push({ id: 'volumeRank', maxPoints: top, points: b.volumeRank ?? 0, lines: [] });
      return items;
    }
    case 'weightedFormulas': {
      const w = scheme.weights;
      return [
        { id: 'volume', maxPoints: w.volume, points: b.volume ?? 0, lines: [] },
        { id: 'timely', maxPoints: w.timely, points: b.timely ?? 0, lines: rateLines(causes, 'onTimeCompletion', w.timely, c.completionDue) },
        { id: 'firstContact', maxPoints: w.firstContact, points: b.firstContact ?? 0, lines: rateLines(causes, 'firstContact', w.firstContact, c.rated) },
        { id: 'resolution', maxPoints: w.resolution, points: b.resolution ?? 0, lines: rateLines(causes, 'resolution', w.resolution, c.rated) },
        { id: 'satisfaction', maxPoints: w.satisfaction, points: b.satisfaction ?? 0, lines: rateLines(causes, 'satisfaction', w.satisfaction, c.rated) },
      ];
    }
    case 'threeRatesOneDegree': {
      const w = scheme.weights;
      return [
        { id: 'onTimeSign', maxPoints: w.onTimeSign, points: b.onTimeSign ?? 0, lines: rateLines(causes, 'onTimeSign', w.onTimeSign, c.signDue) },
        { id: 'onTimeCompletion', maxPoints: w.onTimeCompletion, points: b.onTimeCompletion ?? 0, lines: rateLines(causes, 'onTimeCompletion', w.onTimeCompletion, c.completionDue) },
        { id: 'resolution', maxPoints: w.resolution, points: b.resolution ?? 0, lines: rateLines(causes, 'resolution', w.resolution, c.rated) },
        { id: 'satisfaction', maxPoints: w.satisfaction, points: b.satisfaction ?? 0, lines: rateLines(causes, 'satisfaction', w.satisfaction, c.rated) },
      ];
    }
  }
}
