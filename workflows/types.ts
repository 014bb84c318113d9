/**
 * Plain types of the work-order workflow: its input, its live state (what {@link stateQuery}
 * returns and what the read model stores as a snapshot) and the records the activities persist.
 *
 * Pure types and a few constants only: imported by the workflow, the activities and the API.
 * Every time is an ISO-8601 string (UTC, `...Z`) so the state crosses every boundary unchanged.
 */
import type { CalendarData } from '../domain/calendar';
import type { SlaProfile } from '../domain/profile';
import type { Actor, Category, Channel, Classification, Intake, Reply, ResultType, Satisfaction, Stage, Urgency } from '../domain/workorder';

/** An ISO-8601 instant, e.g. `2026-03-06T10:40:00.000Z`. */
export type IsoTime = string;

/**
 * The input of {@link workOrderWorkflow}. The API resolves the hotline's SLA profile and builds
 * the calendar data (both may change later) and passes them in, so every deadline is computed in
 * the workflow, from workflow time, with data fixed in its history: replay always sees the same
 * numbers, and an edit of the calendar or profile applies to new work orders only.
 */
export interface WorkOrderInput {
  /** The work-order number; also the workflow id. */
  workOrderId: string;
  /** What the center recorded at intake (parsed with `intakeSchema`). */
  intake: Intake;
  /** Who created it (the center's user). */
  createdBy: Actor;
  /** The resolved SLA profile (shipped profile plus the hotline's overrides). */
  profile: SlaProfile;
  /** The hotline's working calendar (national schedule plus its own exceptions). */
  calendar: CalendarData;
  /**
   * Continue-as-new after this many history events (default 2000). Temporal suggests it by
   * history size too; the project's engine does not report the size, so the count is the guard.
   */
  continueAsNewAfterEvents?: number;
  /** Set only by continue-as-new: the state carried over from the previous run. */
  carried?: WorkOrderState;
  /**
   * The version of the rules the work order runs under ({@link RULES_VERSION} for new ones).
   * Absent: 1, the rules before issue 12, so a recorded history replays exactly as it ran.
   */
  rulesVersion?: number;
}

/**
 * The current version of the lifecycle rules. 2 (issue 12): deadlines keep their second, an
 * unsigned order's return window runs from receipt, escalation opens 督办 once per failure.
 */
export const RULES_VERSION = 2;

/** The kinds of clock (时限) a work order runs. */
export type ClockName =
  | 'preBrief' // 先行简告: the center phones the caller (natural time, 003)
  | 'sign' // 签收 by a unit
  | 'urgentReport' // urgent order outside office hours: report back within natural hours (003)
  | 'return' // 退单 window: a window, not an obligation; expires without escalation
  | 'firstContact' // 先行联系 by the main unit
  | 'siteVisit' // 现场勘查 by the main unit where the work order has a site (003 第八条(一))
  | 'completion' // 办结 by the main unit (from first dispatch; moved by extensions)
  | 'reHandle' // 重办 after an unsatisfied callback
  | 'replyReview' // 审核: the center reviews a reply
  | 'callback' // 回访: the center calls the citizen back
  | 'expertEvaluation'; // 专业评价 (002), with a reminder; auto-withdrawn when it passes

/** `pending` until done or due; `met` done in time; `missed` not done by its deadline (it may
 * still be done late, see `doneAt`); `expired` a window that closed unused; `cancelled` no longer
 * relevant (re-dispatch, withdrawal, close). */
export type ClockStatus = 'pending' | 'met' | 'missed' | 'expired' | 'cancelled';

/** One deadline of a work order. */
export interface Clock {
  /** Unique within the work order, e.g. `sign:kf-001:2` (dispatch number 2). */
  id: string;
  name: ClockName;
  /** The unit that must act; absent for the center's clocks. */
  unitId?: string;
  /** `window` (退单: may be used until it closes) or `obligation` (urged, escalated when missed). */
  kind: 'obligation' | 'window';
  start: IsoTime;
  deadline: IsoTime;
  /** The deadline before any extension. */
  originalDeadline: IsoTime;
  /** Urge points (催办) before the deadline, and which of them have fired. */
  urgeAt: IsoTime[];
  urged: IsoTime[];
  status: ClockStatus;
  /** When the obligation was done (in time or late). */
  doneAt?: IsoTime;
  /** When it was done in time (status `met`); absent when done late. */
  metAt?: IsoTime;
  /** When the deadline passed unmet. */
  missedAt?: IsoTime;
  /** Working minutes late (positive) when done after a missed deadline. */
  lateWorkingMinutes?: number;
  /** Approved extensions moved this deadline. */
  extended: boolean;
  /** Rules 2 (001 三(三)): when a missed obligation short of its urges is urged again. */
  followUpAt?: IsoTime;
  /** How the length was computed, for people: e.g. `1 workingDays`, `4 hours`. */
  length: string;
  /**
   * The deadline was counted across a year with no official holiday schedule yet (暂定): it is
   * recomputed when that year's schedule reaches the work order ({@link CalendarUpdate}).
   */
  provisional?: boolean;
  /** The years without an official schedule that the deadline was counted across (with `provisional`). */
  provisionalYears?: number[];
}

/** A unit's part in the work order (主办 or 协办) for one dispatch. */
export interface UnitAssignment {
  unitId: string;
  role: 'main' | 'co';
  /** Which dispatch (1 = first) gave this assignment. */
  dispatchNo: number;
  dispatchedAt: IsoTime;
  signedAt?: IsoTime;
  /** 先行联系 attempts (003/004: if unreachable, 3 attempts at least 1 hour apart). */
  contactAttempts: { at: IsoTime; reached: boolean; method: string; person: string; note?: string }[];
  /** When first contact counts as done (reached, or the attempts exhausted). */
  contactedAt?: IsoTime;
  /** `active` while assigned; `returned` after an approved return; `replaced` by re-dispatch. */
  status: 'active' | 'returned' | 'replaced';
  /** The unit's return (退单) requests were rejected: it must handle (003). */
  returnRejected: boolean;
}

export interface PreBriefAttempt {
  at: IsoTime;
  reached: boolean;
  note?: string;
  by: string;
}

export interface ReturnRecord {
  unitId: string;
  role: 'main' | 'co';
  reason: string;
  requestedAt: IsoTime;
  requestedBy: string;
  status: 'pending' | 'approved' | 'rejected';
  decidedAt?: IsoTime;
  decidedBy?: string;
  decisionReason?: string;
  nextMainUnitId?: string;
  /** Asked after the return window, where the profile allows it with a penalty (000 附件2 四.2). */
  late?: boolean;
  /** Rejected as within the unit's duty (000 附件2 四.6; absent on older records: a rejection is). */
  withinDuty?: boolean;
  /** 退单审核表 (003 第八条(三)): the unit suggested instead, and the unit head who approved. */
  suggestedUnitId?: string;
  approvedBy?: string;
}

export interface ExtensionRecord {
  unitId: string;
  workingDays: number;
  reason: string;
  requestedAt: IsoTime;
  requestedBy: string;
  status: 'pending' | 'approved' | 'refused';
  decidedAt?: IsoTime;
  decidedBy?: string;
  decisionReason?: string;
  /** Completion deadline before and after (approved only). */
  deadlineBefore: IsoTime;
  deadlineAfter?: IsoTime;
  /** What the unit tells the citizen of the extension (004 第十一条(一)4, 000 附件2 四.4). */
  citizenNotice?: string;
  /** The profile required the citizen to be told (absent on older records). */
  notifyCitizen?: boolean;
}

export interface ReplyRecord extends Reply {
  unitId: string;
  at: IsoTime;
  by: string;
  /** Which handling round (0 = first, n = n-th re-handling). */
  round: number;
  review?: { accepted: boolean; reason: string; at: IsoTime; by: string };
}

export interface CallbackRecord {
  at: IsoTime;
  by: string;
  reached: boolean;
  contactedFirst: boolean;
  answered: boolean;
  resolved: boolean;
  satisfaction: Satisfaction;
  /** 市民测评 of the result (003 附件2 诉求解决率); absent on older records. */
  citizenResultType?: ResultType;
  exclusion?: string;
  requestExpertEvaluation: boolean;
  note?: string;
  /** What followed: closed, re-handling, expert evaluation, or nothing (caller not reached). */
  outcome: 'closed' | 'reHandle' | 'expertEvaluation' | 'notReached';
}

export interface ExpertEvaluation {
  assignedAt: IsoTime;
  deadline: IsoTime;
  reminderAt: IsoTime;
  remindedAt?: IsoTime;
  status: 'pending' | 'ruled' | 'autoWithdrawn';
  /** The evaluator's grade (002 三(五)3), final and counted in the satisfaction rate (三(六)). */
  grade?: 'satisfied' | 'basicallySatisfied' | 'unsatisfied';
  /** The older form of a ruling (recorded before grades): upheld = the unsatisfied rating stands. */
  ruling?: 'upheld' | 'overturned';
  reason?: string;
  ruledAt?: IsoTime;
  ruledBy?: string;
}

/** The escalation steps: urge (催办) comes before a deadline; the rest after one is missed. */
export type EscalationKind = 'urge' | 'supervise' | 'onSiteSupervise' | 'coordinationMeeting' | string;

/** One urge or escalation (催办 / 督办), recorded with its reason and time (001). */
export interface Escalation {
  /** The timeline seq of the event that recorded it; also the supervision record's key. */
  seq: number;
  kind: EscalationKind;
  /** What caused it: urgePoint, missedDeadline, overdueAfterExtension, urgedTwice,
   * repeatedReHandle, or a manual trigger (superviseSchema's `trigger`). */
  trigger: string;
  reason: string;
  at: IsoTime;
  /** The scheduled instant (urge point or deadline) when the clock caused it. */
  dueAt?: IsoTime;
  clockId?: string;
  unitId?: string;
  /** The user for a manual 督办. */
  by?: string;
  /** How a manual 督办 is done (004 第十二条(二), 001 三(三)): written, phone, onSite, meeting, designated. */
  method?: string;
  /** For supervision: when its record was closed. */
  closedAt?: IsoTime;
}

/** One line of the timeline: who did what when. */
export interface TimelineEntry {
  seq: number;
  at: IsoTime;
  type: string;
  actor: Actor;
  unitId?: string;
  detail: Record<string, unknown>;
}

/** The live state of a work order (the {@link stateQuery} result). */
export interface WorkOrderState {
  workOrderId: string;
  stage: Stage;
  classification: Classification;
  category: Category;
  urgency: Urgency;
  channel: Channel;
  /** 举报: the caller's identity is hidden from units (001). */
  confidential: boolean;
  intake: Intake;
  createdAt: IsoTime;
  createdBy: Actor;
  updatedAt: IsoTime;
  closedAt?: IsoTime;
  closeReason?: string;
  profileId: string;
  /** 批办 instruction from leadership (also any dispatch instruction). */
  instruction?: string;
  preBriefAttempts: PreBriefAttempt[];
  /** Whether pre-briefing is finished (reached, attempts exhausted, or not required). */
  preBriefDone: boolean;
  mainUnitId?: string;
  coUnitIds: string[];
  /** Every assignment, past and present. */
  units: UnitAssignment[];
  dispatchCount: number;
  firstDispatchedAt?: IsoTime;
  clocks: Clock[];
  returns: ReturnRecord[];
  extensions: ExtensionRecord[];
  replies: ReplyRecord[];
  callbacks: CallbackRecord[];
  expertEvaluations: ExpertEvaluation[];
  /** Times re-handled (重办), and in a row without a satisfied callback. */
  reHandleCount: number;
  consecutiveReHandles: number;
  escalations: Escalation[];
  /** Highest escalation kind reached, if any. */
  escalationLevel?: EscalationKind;
  /** The timeline; older entries are dropped from this array after many (see `timelineDropped`),
   * never from the read model. */
  timeline: TimelineEntry[];
  timelineDropped: number;
  /** The last event seq (timeline and read model). */
  seq: number;
  /** How many runs this work order has had (continue-as-new). */
  run: number;
  /** Some pending deadline is provisional (暂定; see {@link Clock.provisional}). */
  provisional?: boolean;
}

/**
 * A year's official schedule reaching a running work order (`calendarUpdate`): that year's days
 * off and make-up workdays (the hotline's exceptions applied), which the workflow puts in place
 * of its provisional days for the year, keeping its own office hours and other years. The update's
 * arguments are in the workflow's history, so a replay counts the same deadlines.
 */
export interface CalendarUpdate {
  year: number;
  /** `'YYYY-MM-DD'` days off in `year`. */
  holidays: string[];
  /** `'YYYY-MM-DD'` make-up workdays (调休上班) in `year`. */
  makeUpWorkdays: string[];
  /** `notice`, `json`, `csv` (an administrator's import) or `library` (a library update). */
  source: string;
  /** The import, e.g. `2027/1` (year / version); also the update id's tail. */
  importId: string;
  actor: Actor;
}

/** One deadline a {@link CalendarUpdate} moved. */
export interface DeadlineChange {
  clockId: string;
  name: ClockName;
  unitId?: string;
  before: IsoTime;
  after: IsoTime;
  /** Still provisional after the update (it also crosses another unpublished year). */
  provisional: boolean;
}

/** What `calendarUpdate` answers: the deadlines it moved (none when nothing depended on the year). */
export interface CalendarUpdateResult {
  workOrderId: string;
  changes: DeadlineChange[];
}

/** What the workflow returns when the work order ends. */
export interface WorkOrderOutcome {
  workOrderId: string;
  stage: 'closed' | 'withdrawn';
  closedAt: IsoTime;
  reason?: string;
}

// ---- What the activities persist --------------------------------------------------------------

/** A timeline event as stored in `work_order_events`. */
export type WorkOrderEvent = TimelineEntry;

/** Who a notification is for. */
export type Recipient = { audience: 'unit'; unitId: string } | { audience: 'center' } | { audience: 'supervisors' };

export type NotificationKind =
  | 'newWorkOrder'
  | 'urge'
  | 'escalation'
  | 'supervision'
  | 'returnRequested'
  | 'returnReviewed'
  | 'extensionRequested'
  | 'extensionReviewed'
  | 'replySubmitted'
  | 'replySentBack'
  | 'reHandle'
  | 'expertEvaluation'
  | 'expertReminder'
  | 'expertWithdrawn'
  | 'withdrawn'
  | 'closed'
  | 'deadlineChanged';

/** One notification to one or more recipients; `key` makes it idempotent. */
export interface NotificationRequest {
  /** `<workOrderId>:<seq>:<kind>`; one outbox row per recipient is keyed `<key>:<recipient>`. */
  key: string;
  workOrderId: string;
  kind: NotificationKind;
  recipients: Recipient[];
  at: IsoTime;
  /** Safe for every recipient: never the caller's name or phone. */
  payload: Record<string, unknown>;
}

/** A 督办 record to open. */
export interface SupervisionOpen {
  /** `<workOrderId>:<seq>`. */
  id: string;
  workOrderId: string;
  unitId?: string;
  level: string;
  trigger: string;
  clock?: string;
  reason: string;
  openedAt: IsoTime;
  openedBy?: string;
}

export interface SupervisionClose {
  workOrderId: string;
  /** Close these records; all open ones of the work order when absent. */
  ids?: string[];
  closedAt: IsoTime;
  reason: string;
}

/** The read-model row fields derived from the state (see db/migrations/0002_read_model.sql). */
export interface WorkOrderSnapshot {
  state: WorkOrderState;
  nextDeadline?: IsoTime;
  signDeadline?: IsoTime;
  completionDeadline?: IsoTime;
  overdue: boolean;
  signedOnTime?: boolean;
  firstContactOnTime?: boolean;
  completedOnTime?: boolean;
  extended: boolean;
  resultType?: ResultType;
  satisfaction?: Satisfaction;
  resolved?: boolean;
  satisfactionExclusion?: string;
}

/** The system actor: the clock (urges, escalations, auto-withdrawal). */
export const systemActor: Actor = { userId: 'system', role: 'system' };
