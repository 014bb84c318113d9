/**
 * Shared fixtures of the work-order tests: the 2026 calendar, shipped profiles, actors and
 * action bodies. Times are written as local (Asia/Shanghai) date + time.
 */
import { WorkingCalendar } from '../../domain/calendar';
import { buildCalendarData } from '../../domain/holidays';
import { shippedProfiles, type ProfileId } from '../../domain/profile';
import { intakeSchema, type Actor, type Intake } from '../../domain/workorder';
import type { WorkOrderInput } from '../../workflows/types';

export const calendarData = buildCalendarData({ fromYear: 2026, toYear: 2026 });
export const calendar = new WorkingCalendar(calendarData);

/** The instant of a local date and time, e.g. `local('2026-03-06', '19:40')`. */
export function local(date: string, time: string): Date {
  return calendar.at(date, time);
}
/** Milliseconds of a local date and time. */
export const t = (date: string, time: string): number => local(date, time).getTime();
/** ISO string of a local date and time (what the state holds). */
export const iso = (date: string, time: string): string => local(date, time).toISOString();

export const center: Actor = { userId: 'c1', role: 'center' };
export const supervisor: Actor = { userId: 's1', role: 'supervisor' };
export const unitUser = (unitId: string): Actor => ({ userId: `u-${unitId}`, role: 'unit', unitId });

export function intake(overrides: Partial<Record<keyof Intake, unknown>> = {}): Intake {
  return intakeSchema.parse({
    callerName: '张三',
    callerPhone: '13800000000',
    summary: '小区路灯不亮',
    category: 'complaint',
    urgency: 'normal',
    mainUnitId: 'unit-a',
    ...overrides,
  });
}

let counter = 0;
/** A workflow input under a shipped profile (004 泾川县 by default). */
export function input(options: { profile?: ProfileId; intake?: Partial<Record<keyof Intake, unknown>>; id?: string } = {}): WorkOrderInput {
  return {
    workOrderId: options.id ?? `WO-${Date.now().toString(36)}-${++counter}`,
    intake: intake(options.intake),
    createdBy: center,
    profile: shippedProfiles[options.profile ?? 'jingchuan-004'],
    calendar: calendarData,
  };
}

export const reply = (firstContactAt: string) => ({
  resultType: 'resolved',
  firstContactAt,
  firstContactPerson: '李四',
  facts: '路灯线路老化',
  answer: '已更换线路',
  answeredAt: firstContactAt,
  attachments: [],
  // 003 第八条(八)1 requires these (profile requiredFields); the others accept them.
  siteCheck: '现场核实路灯不亮属实',
  demandFinding: '诉求合理',
  responder: '李四',
});

export const callback = (satisfaction: string, extra: Record<string, unknown> = {}) => ({
  reached: true,
  contactedFirst: true,
  answered: true,
  resolved: satisfaction !== 'unsatisfied',
  satisfaction,
  ...extra,
});
