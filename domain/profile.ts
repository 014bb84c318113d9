/**
 * SLA profiles (时限与考核方案): every time limit, urge point, supervision trigger and scoring scheme
 * of one jurisdiction, as data validated with zod. The engine hard-codes none of these numbers.
 *
 * Pure and workflow-safe. One profile ships per seed regulation ({@link shippedProfiles}); a hotline
 * picks one and overrides fields with {@link resolveProfile}, or defines its own.
 *
 * Seeds (their text is in the project's regulations folder, not read at run time):
 * - 000 鲁山县政府热线办理工作考核办法(试行), 鲁政办〔2017〕26号
 * - 001 开封市市长专线电话工作规则 / 工作考评奖惩办法 (2020)
 * - 002 a city's 公众诉求管理系统运行办法 (knowledge base, expert evaluators, unit scoring)
 * - 003 南码头路街道12345市民服务热线工作管理实施细则(试行) and 2024 绩效评估方案, 浦南办〔2024〕20号
 * - 004 泾川县12345政务服务便民热线运行管理办法(试行), 泾政办发〔2022〕65号
 */
import { z } from 'zod';
import { slaDurationSchema } from './dataSchemas';
import { SlaDuration, naturalHours, naturalMinutes, workingDays, workingHours } from './sla';
import { ScoringScheme, defaultSatisfactionGrades, satisfactionGradesSchema, scoringSchemeSchema } from './scoring';
import { Category, Classification, Urgency, categories } from './workorder';

const duration = slaDurationSchema;
const count = z.number().int().min(0).max(100);

/** When a window's clock starts: at receipt (派单到达) or at signing (签收). */
export const windowAnchorSchema = z.enum(['receipt', 'signing']);
/** A window with its starting point. */
export const anchoredWindowSchema = z.strictObject({ from: windowAnchorSchema, within: duration });
export type AnchoredWindow = z.infer<typeof anchoredWindowSchema>;

/** The rungs of the escalation ladder, mildest first. */
export const escalationSteps = ['urge', 'supervise', 'onSiteSupervise', 'coordinationMeeting'] as const;
export type EscalationStep = (typeof escalationSteps)[number];

const categoryWindows = z.partialRecord(z.enum(categories), duration);

/** The zod schema of an {@link SlaProfile}. */
export const slaProfileSchema = z.strictObject({
  id: z.string().min(1).max(64),
  name: z.string().min(1),
  /** Seed files the numbers come from. */
  sources: z.array(z.string()),

  /** 先行简告: the center phones the caller before dispatch. */
  preBriefing: z.strictObject({
    required: z.boolean(),
    window: duration,
    /** Unreachable: at least this many attempts ... */
    attempts: count,
    /** ... at least this far apart, then dispatch noting the times. */
    minGap: duration,
  }),
  /** 签收 window from receipt. */
  sign: z.strictObject({ normal: duration, urgent: duration }),
  /** Urgent tickets outside working time: receive at once, report back within this (natural time). */
  urgentOffHours: z.strictObject({ reportWithin: duration }),
  /** 退单 window; approved returns restart the clock, rejected ones keep the first dispatch's (004). */
  return: z.strictObject({
    normal: anchoredWindowSchema,
    urgent: anchoredWindowSchema,
    approvedRestartsClock: z.boolean(),
    rejectedKeepsFirstDispatchClock: z.boolean(),
    /**
     * A return asked after the window: `refused` (RETURN_WINDOW_CLOSED; 003 第八条(三) 未在规定时间内
     * 退单的, 原则上由该处置单位处置) or `allowedWithPenalty` (accepted, scored as 未及时退回: 000 附件2 四.2).
     * Absent in profiles stored before it existed: refused.
     */
    late: z.enum(['refused', 'allowedWithPenalty']).default('refused'),
  }),
  /** 先行联系 of the caller by the unit. */
  firstContact: z.strictObject({
    window: anchoredWindowSchema,
    /** 现场勘查 where the ticket has a site; null when the seed has no such rule. */
    siteVisit: duration.nullable(),
    attempts: count,
    minGap: duration,
  }),
  /** 办结 windows from receipt (the anchor of 003/004: 接单之日起 / 接到转办工单后). */
  completion: z.strictObject({
    /** Every category not listed below. */
    standard: duration,
    byCategory: categoryWindows,
    /** Urgent tickets of a category (003: 紧急求助 1 working day); wins over `byCategory`. */
    urgentByCategory: categoryWindows,
    /** 批办 / written assignments by leadership (001: 10 working days); null: like the others. */
    leadershipAssigned: duration.nullable(),
  }),
  /** 延期. */
  extension: z.strictObject({
    maxCount: count,
    /** How early it must be asked: at least `atLeast` before the deadline, or within `within` of receipt. */
    request: z.discriminatedUnion('anchor', [
      z.strictObject({ anchor: z.literal('beforeDeadline'), atLeast: duration }),
      z.strictObject({ anchor: z.literal('afterReceipt'), within: duration }),
    ]),
    /** How long at most: a multiple of the original limit (004: 1 = at most doubling), or a range. */
    maxLength: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('factorOfOriginal'), factor: z.number().positive().max(10) }),
      z.strictObject({ kind: z.literal('range'), min: duration, max: duration }),
    ]),
    notifyCitizen: z.boolean(),
  }),
  /** 重办 after an unsatisfied or unresolved callback, from the send-back. */
  reHandling: z.strictObject({ window: duration }),
  /** 审核: the center reviews a reply within this. */
  replyReview: z.strictObject({ window: duration }),
  /** 回访: the center calls back within this of accepting the reply; attempts at different times. */
  callback: z.strictObject({
    window: duration,
    attempts: count,
    /**
     * 003 第五条(四): 未先联 (the unit did not contact the caller first) sends the work order back
     * (退回重新处置) like 未解决 and 不满意. Absent in profiles stored before it existed: false.
     */
    reHandleWhenNotContactedFirst: z.boolean().default(false),
  }),
  /** 专业评价 (002) of an unsatisfied callback. */
  expertEvaluation: z.strictObject({
    enabled: z.boolean(),
    window: duration,
    reminderAfter: duration,
    /** Neither ruled nor returned within the window: withdrawn from the evaluator. */
    autoWithdraw: z.boolean(),
  }),
  /** 催办 points, each a duration before the deadline it belongs to. */
  urgePoints: z.strictObject({
    sign: z.array(duration),
    firstContact: z.array(duration),
    completion: z.array(duration),
  }),
  /** 督办 ladder and triggers. */
  escalation: z.strictObject({
    ladder: z.array(z.enum(escalationSteps)).min(1),
    /** Urges without result before 督办 (001: 两次催办未果). */
    urgesBeforeSupervision: count,
    /**
     * Rules 2, with `urgesBeforeSupervision` > 0: a deadline missed before that many urges is urged
     * again (催办) this long after it, and 督办 follows only when the urges are used up (001 三(三)
     * 两次催办未果). Absent in profiles stored before it existed: 1 working day.
     */
    overdueUrgeAfter: duration.default({ amount: 1, unit: 'workingDays' }),
    /** 督办通知 when overdue after an extension (000). */
    superviseOverdueAfterExtension: z.boolean(),
    /** Same caller this many times unresolved → 督办 (003: 5). */
    repeatCallsForSupervision: count,
    /** Second callback unsatisfied → 督办 (003). */
    superviseSecondCallbackUnsatisfied: z.boolean(),
    /** Unit returns a ticket within its duty → 督办 (003). */
    superviseReturnWithinDuty: z.boolean(),
    /** Consecutive re-handles → accountability (004: 连续两次退回重办). */
    rehandlesForAccountability: count,
    /** Repeat complaints → accountability (004: 三次以上重复投诉). */
    repeatComplaintsForAccountability: count,
  }),
  scoring: scoringSchemeSchema,
  /**
   * Fields of a unit's return and reply that this hotline requires (optional in the API). 003:
   * 《退单审核表》 (第八条(三)) and the reply's 现场核实情况, 诉求认定情况, 答复人 (第八条(八)1). Absent in
   * profiles stored before it existed: none.
   */
  requiredFields: z
    .strictObject({
      returnRequest: z.array(z.enum(['suggestedUnitId', 'approvedBy'])),
      reply: z.array(z.enum(['siteCheck', 'demandFinding', 'responder', 'factFinding'])),
    })
    .default({ returnRequest: [], reply: [] }),
  /**
   * The satisfaction grades a callback may give, with their labels and what each counts as
   * (satisfaction rate, 000's 不满意 deduction, re-handling). 003 评价说明表 has four, 004 第十八条 a
   * fifth (非常不满意). Absent in profiles stored before it existed: the four of 003.
   */
  satisfactionGrades: satisfactionGradesSchema.default(defaultSatisfactionGrades),
});

/** A validated SLA profile. */
export type SlaProfile = z.infer<typeof slaProfileSchema>;

/** Ids of the shipped profiles, one per seed. */
export const profileIds = ['lushan-000', 'kaifeng-001', 'city-002', 'nanmatou-003', 'jingchuan-004'] as const;
export type ProfileId = (typeof profileIds)[number];

/** Every field optional, recursively; arrays are replaced whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

// -------------------------------------------------------------------------------------------
// Numbers shared by several profiles, each with its source.

/** 003 第六条(一): 1小时内先行电话联系; 3次以上, 每次至少间隔1小时. */
const preBriefing003 = (required: boolean) => ({
  required,
  window: naturalHours(1), // 003 第六条(一) 收到工单的1小时内
  attempts: 3, // 003 第六条(一) 拨打市民电话3次以上
  minGap: naturalHours(1), // 003 第六条(一) 每次至少间隔1小时
});

/** 002 三(五)2: 派发24小时后短信提醒, 2个工作日内评价, 不评价也不退回则自动撤回. */
const expertEvaluation002 = (enabled: boolean) => ({
  enabled,
  window: workingDays(2), // 002 三(五)2 在2个工作日内作出评价
  reminderAfter: naturalHours(24), // 002 三(五)2 系统在办件派发24小时后自动短信提醒一次
  autoWithdraw: true, // 002 三(五)2 如2个工作日内不评价也不退回，系统自动撤回办件
});

/** 003 附件2 (2024 绩效评估方案及评价说明表). */
const weightedFormulas003: ScoringScheme = {
  kind: 'weightedFormulas',
  weights: {
    volume: 5, // 003 附件2 承办工单量(5分)
    timely: 10, // 003 附件2 及时处置率(10分) = 按时办结数/应办结数*指标分值
    firstContact: 25, // 003 附件2 回访先行联系率(25分)
    resolution: 30, // 003 附件2 回访诉求解决率(30分)
    satisfaction: 30, // 003 附件2 回访市民满意率(30分)
  },
  resolutionCredit: {
    resolved: 100, // 003 评价说明表: "实际解决"计100分
    explained: 100, // 003 评价说明表: "解释说明"计100分
    notedForReference: 70, // 003 评价说明表: "参考备案"计70分
    demandTooHigh: 0, // 003 评价说明表: 其余计0分
    unresolved: 0, // 003 评价说明表: 其余计0分
  },
  satisfactionCredit: {
    satisfied: 100, // 003 评价说明表: "满意"计100分
    basicallySatisfied: 80, // 003 评价说明表: "基本满意"计80分
    neutral: 60, // 003 评价说明表: "一般"计60分
    unsatisfied: 0, // 003 评价说明表: "不满意"计0分
  },
  volumeLowestShare: 0.5, // 003 评价说明表: 最低的得该项分值的50%, 其余按工单量多少取中间分值 (assumed linear)
};

/** Urge points no seed states (003 only says 密切关注即将超期工单, 及时开展催办督办). */
const assumedUrgePoints = {
  sign: [workingHours(1)], // assumed: 1 working hour before the sign deadline
  firstContact: [workingHours(1)], // assumed: 1 working hour before the first-contact deadline
  completion: [workingDays(1), workingHours(2)], // assumed: 1 working day and 2 working hours before completion
};

// -------------------------------------------------------------------------------------------

/** 000 鲁山县 (2017): 7 working days, extension 3–5 days once, per-event deductions. */
const lushan000: SlaProfile = {
  id: 'lushan-000',
  name: '鲁山县政府热线 (鲁政办〔2017〕26号)',
  sources: ['000_44ec41f45741519a.txt'],
  preBriefing: preBriefing003(false), // 000 silent: no pre-briefing required; attempts/gap as 003 if a hotline turns it on
  sign: {
    normal: workingDays(1), // 000 附件1 四.1 / 附件2 四.1: 1个工作日内签收
    urgent: naturalMinutes(30), // 000 silent: assumed 30 minutes (004's urgent return window)
  },
  urgentOffHours: { reportWithin: naturalHours(4) }, // 000 silent: assumed 003 第七条(三) 4小时内反馈
  return: {
    // 000 contradicts itself: 附件1 四.2 应在1个工作日内退回, 附件2 四.2 须在2个工作日内退回 and scores a late
    // return (未及时退回 一次扣0.5分) instead of forbidding it. Shipped as 附件2 says, since 附件2 is the
    // scoring standard units are held to (2 working days, late allowed with the −0.5); a hotline that
    // follows 附件1 overrides `normal.within` to 1 working day and `late` to 'refused'.
    normal: { from: 'receipt', within: workingDays(2) }, // 000 附件2 四.2: 须在2个工作日内退回
    urgent: { from: 'signing', within: naturalMinutes(30) }, // 000 silent: assumed 004 第十一条(二) 签收后30分钟内
    approvedRestartsClock: true, // 000 silent: assumed 004 第十一条(二) 办结时间重新计算
    rejectedKeepsFirstDispatchClock: true, // 000 silent: assumed 004 第十一条(二) 以第一次转办起始时间计算
    late: 'allowedWithPenalty', // 000 附件2 四.2: 未及时退回的 一次扣0.5分 (scored, not refused)
  },
  firstContact: {
    window: { from: 'receipt', within: workingDays(1) }, // 000 silent: assumed 003 第八条(二) 1个工作日内先行联系
    siteVisit: null, // 000 silent
    attempts: 3, // 000 silent: assumed 003 第八条(二) 3次以上
    minGap: naturalHours(1), // 000 silent: assumed 003 第八条(二) 每次间隔至少1小时
  },
  completion: {
    standard: workingDays(7), // 000 附件1 四.3 / 附件2 四.3: 7个工作日内办结并回复
    byCategory: {}, // 000: one limit for every category
    urgentByCategory: {}, // 000 silent
    leadershipAssigned: null, // 000 silent: same 7 days
  },
  extension: {
    maxCount: 1, // 000 附件1 五.2: 只能延期一次
    request: { anchor: 'beforeDeadline', atLeast: workingDays(0) }, // 000 附件1 四.4 / 五.1: 提前申请 (no amount: any time before the deadline)
    maxLength: { kind: 'range', min: workingDays(3), max: workingDays(5) }, // 000 附件1 五.2: 延期时限一般在3-5天 (assumed working days)
    notifyCitizen: true, // 000 附件2 四.4: 未将延期办理时限和理由告知反映人 is a deduction
  },
  reHandling: { window: workingDays(3) }, // 000 silent: assumed 003 第十条(二) 3个工作日内
  replyReview: { window: workingDays(1) }, // 000 silent: assumed 1 working day
  callback: { window: workingDays(2), attempts: 3, reHandleWhenNotContactedFirst: false }, // 000 silent: assumed 2 working days; 3 attempts as 003 第八条(七); 未先联 alone does not send it back (000 silent)
  expertEvaluation: expertEvaluation002(false), // 000 has no expert evaluators; 002's numbers if enabled
  urgePoints: assumedUrgePoints, // 000 silent on when to urge
  escalation: {
    ladder: ['urge', 'supervise', 'onSiteSupervise'], // 000 附件1 五.3 督办通知, 五.4 现场督办
    urgesBeforeSupervision: 0, // 000 附件2 五: a missed deadline is 督办-worthy at once (两次催办未果 is 001's rule)
    overdueUrgeAfter: workingDays(1), // unused with 0 urges
    superviseOverdueAfterExtension: true, // 000 附件1 五.3: 经延期后仍未在时限内办理的, 下发《督办通知》
    repeatCallsForSupervision: 5, // 000 附件1 五.4 多次重复反映 → 现场督办 (no number: assumed 003's 5)
    superviseSecondCallbackUnsatisfied: false, // 000 silent
    superviseReturnWithinDuty: false, // 000 scores it (附件2 四.6 −1) but does not make it a 督办 trigger
    rehandlesForAccountability: 2, // 000 silent: assumed 004 第十九条(一) 连续两次退回重办
    repeatComplaintsForAccountability: 3, // 000 silent: assumed 004 第十九条(一) 三次以上重复投诉
  },
  scoring: {
    kind: 'deductions',
    items: [
      { id: 'timelySign', maxPoints: 4, events: [{ event: 'lateSign', points: 0.5 }] }, // 000 附件2 四.1 及时签收(4分) 一次扣0.5分
      { id: 'returnHandling', maxPoints: 4, events: [{ event: 'lateReturn', points: 0.5 }] }, // 000 附件2 四.2 退回处理(4分) 一次扣0.5分
      { id: 'timelyCompletion', maxPoints: 10, events: [{ event: 'overdue', points: 1 }] }, // 000 附件2 四.3 限时办理(10分) 一次扣1分
      // 000 附件2 四.4 申请延期(6分): 未将延期办理时限和理由告知反映人 一次扣1分 (the other cases of 四.4
      // need a person's record: not derived)
      {
        id: 'extension',
        maxPoints: 6,
        events: [
          { event: 'extensionNotNotified', points: 1 },
          { event: 'extensionMisused', points: 1 }, // 000 附件2 四.4 未提前申请或申请未通过仍按延期办理 一次扣1分 (entered)
        ],
      },
      {
        id: 'reply',
        maxPoints: 10, // 000 附件2 四.5 答复反馈(10分)
        events: [
          { event: 'unsatisfied', points: 1 }, // 000 附件2 四.5 反映人对合理诉求的办理结果不满意的 一次扣1分
          { event: 'notRepliedAtCallback', points: 1 }, // 000 附件2 四.5 经回访发现, 未答复、反馈的 一次扣1分 (entered)
          { event: 'feedbackInconsistent', points: 2 }, // 000 附件2 四.5 反馈情况与实际办理结果不一致的 一次扣2分 (entered)
        ],
      },
      {
        id: 'rehandling',
        maxPoints: 6, // 000 附件2 四.6 整改重办(6分)
        events: [
          { event: 'returnedWithinDuty', points: 1 }, // 000 附件2 四.6 本属职能范围却作为回退件处理 一次扣1分
          { event: 'sentBackForRehandling', points: 1 }, // 000 附件2 四.6 被发回重办 一次扣1分
        ],
      },
      {
        id: 'urgingAndSupervision',
        maxPoints: 22, // 000 附件2 五 催办督办(22分)
        events: [
          { event: 'urgedAndStillOverdue', points: 2 }, // 000 附件2 五.1 被催办而又超期未办结 一次扣2分
          { event: 'overdueAfterExtension', points: 2 }, // 000 附件2 五.2 经延期办理而又超期未办结 一次扣2分
          { event: 'supervisedStillOverdue', points: 2 }, // 000 附件2 五.3 督办件仍落实不到位 一次扣2分
          { event: 'onSiteOrMediaStillUndone', points: 6 }, // 000 附件2 五.4 现场督办、媒体曝光后仍该办不办 一次扣6分 (entered)
          { event: 'cityOrLeaderSupervised', points: 6 }, // 000 附件2 五.5 被市级单位督办或主要领导批示督办 一次扣6分 (entered)
          { event: 'heldAccountable', points: 8 }, // 000 附件2 五.6 推诿扯皮、工作不力、不作为被追究责任 一次扣8分 (entered)
        ],
      },
      {
        id: 'serviceQuality',
        maxPoints: 10, // 000 附件2 六 服务质量(10分)
        events: [
          { event: 'rudeToHotline', points: 2 }, // 000 附件2 六.1 连线互动 一次扣2分 (entered)
          { event: 'importantIssueMishandled', points: 5 }, // 000 附件2 六.2 重要问题处理 一次扣5分 (entered)
          { event: 'confidentialityBreach', points: 5 }, // 000 附件2 六.3 信息保密 一次扣5分 (entered)
          { event: 'coordinationAbsent', points: 6 }, // 000 附件2 六.4 热线工作协调 一次扣6分 (entered)
        ],
      },
    ],
    volumeRankPoints: [
      { upToRank: 2, points: 5 }, // 000 附件2 七.1 承办事项总量 1-2名得5分
      { upToRank: 5, points: 4 }, // 000 附件2 七.1 3-5名得4分
      { upToRank: 9, points: 3 }, // 000 附件2 七.1 6-9名得3分
      { upToRank: null, points: 2 }, // 000 附件2 七.1 10名以后得2分
    ],
  },
  satisfactionGrades: defaultSatisfactionGrades, // 000 附件2 四.5 反映人...不满意的 (grades not listed): 003 评价说明表's four assumed
  requiredFields: { returnRequest: [], reply: [] }, // 000 silent on the forms
};

/** 001 开封市 (2020): 5 working days via the platform, 10 for written/leadership assignments. */
const kaifeng001: SlaProfile = {
  id: 'kaifeng-001',
  name: '开封市市长专线电话 (2020)',
  sources: ['001_bbf3d180f1ec9401.txt'],
  preBriefing: preBriefing003(false), // 001 silent: not required
  sign: {
    normal: workingDays(1), // 001 silent: assumed 000 四.1 1个工作日
    urgent: naturalMinutes(30), // 001 三(一)6 重大、紧急的事项 快速呈报 (no number): assumed 30 minutes
  },
  urgentOffHours: { reportWithin: naturalHours(4) }, // 001 silent: assumed 003 第七条(三) 4小时
  return: {
    normal: { from: 'receipt', within: workingDays(1) }, // 001 silent: assumed 000/003/004 1个工作日
    urgent: { from: 'signing', within: naturalMinutes(30) }, // 001 silent: assumed 004 第十一条(二) 30分钟
    approvedRestartsClock: true, // 001 silent: assumed 004 第十一条(二)
    rejectedKeepsFirstDispatchClock: true, // 001 silent: assumed 004 第十一条(二)
    late: 'refused', // 001 silent: assumed 003 第八条(三) 未在规定时间内退单的, 原则上由该处置单位处置
  },
  firstContact: {
    window: { from: 'receipt', within: workingDays(1) }, // 001 silent: assumed 003 第八条(二)
    siteVisit: null, // 001 silent
    attempts: 3, // 001 silent: assumed 003 第八条(二)
    minGap: naturalHours(1), // 001 silent: assumed 003 第八条(二)
  },
  completion: {
    standard: workingDays(5), // 001 考评办法 第四条(三)1: 通过12345平台转办的问题, 5个工作日内报告办理结果
    byCategory: {}, // 001: one limit for every category
    urgentByCategory: {}, // 001 silent
    leadershipAssigned: workingDays(10), // 001 第四条(三)1: 书面交办、领导批示、"市长服务直通车" 10个工作日内
  },
  extension: {
    maxCount: 1, // 001 silent: assumed 000 五.2 只能延期一次
    request: { anchor: 'beforeDeadline', atLeast: workingDays(0) }, // 001 第四条(三)1 在规定时限内无法完成的, 要及时报告: before the deadline
    maxLength: { kind: 'factorOfOriginal', factor: 1 }, // 001 第四条(三)1 视情况适当延长 (no number): assumed 004's at most doubling
    notifyCitizen: true, // 001 silent: assumed as 000/004
  },
  reHandling: { window: workingDays(3) }, // 001 三(四) 重新办理 (no number): assumed 003 第十条(二) 3个工作日
  replyReview: { window: workingDays(1) }, // 001 三(四) 认真审核反馈结果 (no number): assumed 1 working day
  callback: { window: workingDays(2), attempts: 3, reHandleWhenNotContactedFirst: false }, // 001 三(五)1 及时向来话人反馈 (no number): assumed 2 working days; 未先联 alone does not send it back (001 silent)
  expertEvaluation: expertEvaluation002(false), // 001 has no expert evaluators
  urgePoints: assumedUrgePoints, // 001 三(三) 及时催办 (no number)
  escalation: {
    ladder: ['urge', 'supervise', 'onSiteSupervise', 'coordinationMeeting'], // 001 三(三) 电话督办、现场督办、协调督办
    urgesBeforeSupervision: 2, // 001 三(三) 催办人员两次催办未果事项 → 督办
    overdueUrgeAfter: workingDays(1), // 001 silent on the interval of a second 催办: assumed 1 working day
    superviseOverdueAfterExtension: true, // 001 三(三) 同意延期的事项, 在延长期内随时进行督办
    repeatCallsForSupervision: 5, // 001 silent: assumed 003 第八条(九)3(3) 5次以上
    superviseSecondCallbackUnsatisfied: false, // 001 silent
    superviseReturnWithinDuty: false, // 001 silent
    rehandlesForAccountability: 2, // 001 silent: assumed 004 第十九条(一)
    repeatComplaintsForAccountability: 3, // 001 silent: assumed 004 第十九条(一)
  },
  scoring: {
    kind: 'thresholds',
    items: [
      {
        id: 'onTimeCompletion',
        maxPoints: 30, // 001 第四条(三) 业务要求目标 每项30分
        targets: [
          // 001 第四条(三)1: 按期办结率达不到95%的, 每低于1%扣1分
          { rate: 'onTimeCompletion', target: 0.95, stepPercentagePoints: 1, pointsPerStep: 1 },
        ],
        events: [{ event: 'urgedTwiceStillOverdue', points: 5 }], // 001 第四条(四)6: 连续2次催办无结果的, 每件次扣除5分
      },
    ],
    volumeBonus: { perTickets: 10, points: 1 }, // 001 第四条(四)4: 每办理10件加1分
  },
  satisfactionGrades: defaultSatisfactionGrades, // 001 silent on grades: 003 评价说明表's four assumed
  requiredFields: { returnRequest: [], reply: [] }, // 001 silent on the forms
};

/** 002 a city's public-demand system: expert evaluators; 95 % / 90 % thresholds. */
const city002: SlaProfile = {
  id: 'city-002',
  name: '公众诉求管理系统 (002)',
  sources: ['002_781298fb43a76e4e.txt'],
  preBriefing: preBriefing003(false), // 002 silent: not required
  sign: {
    normal: workingDays(1), // 002 四(三)1 及时签收 (no number): assumed 000 四.1 1个工作日
    urgent: naturalMinutes(30), // 002 silent: assumed 30 minutes
  },
  urgentOffHours: { reportWithin: naturalHours(4) }, // 002 silent: assumed 003 第七条(三)
  return: {
    normal: { from: 'receipt', within: workingDays(1) }, // 002 silent: assumed 000/003/004
    urgent: { from: 'signing', within: naturalMinutes(30) }, // 002 silent: assumed 004 第十一条(二)
    approvedRestartsClock: true, // 002 silent: assumed 004 第十一条(二)
    rejectedKeepsFirstDispatchClock: true, // 002 silent: assumed 004 第十一条(二)
    late: 'refused', // 002 silent: assumed 003 第八条(三)
  },
  firstContact: {
    window: { from: 'receipt', within: workingDays(1) }, // 002 silent: assumed 003 第八条(二)
    siteVisit: null, // 002 silent
    attempts: 3, // 002 silent: assumed 003 第八条(二)
    minGap: naturalHours(1), // 002 silent: assumed 003 第八条(二)
  },
  completion: {
    standard: workingDays(5), // 002 四(三)1 在规定时间内办理回复 (no number): assumed 5 as 001/003/004
    byCategory: {}, // 002 silent
    urgentByCategory: {}, // 002 silent
    leadershipAssigned: null, // 002 四(三)4 领导批示件 (no number): like the others
  },
  extension: {
    maxCount: 1, // 002 silent: assumed 000 五.2
    request: { anchor: 'beforeDeadline', atLeast: workingDays(0) }, // 002 四(三)1 申请获准延期 before the reply is late
    maxLength: { kind: 'factorOfOriginal', factor: 1 }, // 002 silent: assumed 004 第十一条(一)4
    notifyCitizen: true, // 002 silent: assumed as 000/004
  },
  reHandling: { window: workingDays(3) }, // 002 silent: assumed 003 第十条(二)
  replyReview: { window: workingDays(1) }, // 002 silent: assumed 1 working day
  callback: { window: workingDays(2), attempts: 3, reHandleWhenNotContactedFirst: false }, // 002 silent: assumed 2 working days; 未先联 alone does not send it back (002 silent)
  expertEvaluation: expertEvaluation002(true), // 002 三 专业评价员: 不满意 办件 are evaluated, the ruling is final (三(六))
  urgePoints: assumedUrgePoints, // 002 silent
  escalation: {
    ladder: ['urge', 'supervise'], // 002 silent on the ladder: assumed urge then supervise
    urgesBeforeSupervision: 0, // 002: a missed deadline opens 督办 (两次催办未果 is 001's rule)
    overdueUrgeAfter: workingDays(1), // unused with 0 urges
    superviseOverdueAfterExtension: true, // 002 silent: assumed 000 五.3
    repeatCallsForSupervision: 5, // 002 silent: assumed 003
    superviseSecondCallbackUnsatisfied: false, // 002 silent
    superviseReturnWithinDuty: false, // 002 silent
    rehandlesForAccountability: 2, // 002 silent: assumed 004 第十九条(一)
    repeatComplaintsForAccountability: 3, // 002 silent: assumed 004 第十九条(一)
  },
  scoring: {
    kind: 'thresholds',
    items: [
      {
        id: 'timeliness',
        maxPoints: 20, // 002 四(三)1 (20分), 扣完为止
        targets: [],
        events: [
          { event: 'lateSign', points: 0.5 }, // 002 四(三)1 超期签收的, 每次扣0.5分
          { event: 'overdueWithoutExtension', points: 0.5 }, // 002 四(三)1 没有申请获准延期而逾期回复的, 每次扣0.5分
        ],
      },
      {
        id: 'rates',
        maxPoints: 20, // 002 四(三)2 (20分), 扣完为止
        targets: [
          // 002 四(三)2: 办结率不低于95%, 每差2个百分点扣1分
          { rate: 'completion', target: 0.95, stepPercentagePoints: 2, pointsPerStep: 1 },
          // 002 四(三)2: 满意率不低于90%, 每差2个百分点扣1分
          { rate: 'satisfaction', target: 0.9, stepPercentagePoints: 2, pointsPerStep: 1 },
        ],
        events: [],
      },
    ],
  },
  satisfactionGrades: defaultSatisfactionGrades, // 002 三(五)3 满意/基本满意/不满意 (+ 一般 of 003 for the citizen's callback: assumed)
  requiredFields: { returnRequest: [], reply: [] }, // 002 silent on the forms
};

/** 003 南码头路街道 (2024): the 三先 mechanism, 1/5 working days, weighted formulas. */
const nanmatou003: SlaProfile = {
  id: 'nanmatou-003',
  name: '南码头路街道12345市民服务热线 (浦南办〔2024〕20号)',
  sources: ['003_2a808bb5f8eb0550.txt'],
  preBriefing: preBriefing003(true), // 003 第五条(四), 第六条(一): 先行简告 required
  sign: {
    normal: workingDays(1), // 003 第七条(二) 按时完成接单操作 (no number): assumed 1 working day, the window of 第八条(二)(三)
    urgent: naturalMinutes(30), // 003 第七条(三) 即时接收 (no number): assumed 30 minutes
  },
  urgentOffHours: { reportWithin: naturalHours(4) }, // 003 第七条(三): 将处理情况在4小时内反馈街道城运中心
  return: {
    normal: { from: 'signing', within: workingDays(1) }, // 003 第八条(三): 接单后的1个工作日内申请退单
    urgent: { from: 'signing', within: naturalMinutes(30) }, // 003 silent on urgent: assumed 004 第十一条(二) 30分钟
    approvedRestartsClock: true, // 003 第八条(三) 二次派单 (clock silent): assumed 004 第十一条(二)
    rejectedKeepsFirstDispatchClock: true, // 003 第八条(三) 未在规定时间内退单的, 原则上由该处置单位处置; clock as 004
    late: 'refused', // 003 第八条(三): 未在规定时间内退单的, 原则上由该处置单位处置
  },
  firstContact: {
    window: { from: 'receipt', within: workingDays(1) }, // 003 第八条(二): 收到工单起的1个工作日内先行联系
    siteVisit: workingDays(1), // 003 第八条(一): 接单1个工作日内到达现场
    attempts: 3, // 003 第八条(二): 拨打来电市民电话3次以上
    minGap: naturalHours(1), // 003 第八条(二): 每次间隔至少1小时
  },
  completion: {
    standard: workingDays(5), // 003 第八条(四): 一般工单 接单之日起5个工作日内办结
    byCategory: {}, // 003 silent on consultation: 5 like the others
    urgentByCategory: { help: workingDays(1) }, // 003 第八条(四): 紧急求助类工单 1个工作日内办结
    leadershipAssigned: null, // 003 silent: like the others
  },
  extension: {
    maxCount: 1, // 003 silent: assumed 000 五.2 只能延期一次
    request: { anchor: 'afterReceipt', within: workingDays(1) }, // 003 第八条(四): 在1个工作日内向街道城运中心申请延期
    maxLength: { kind: 'factorOfOriginal', factor: 1 }, // 003 silent: assumed 004 第十一条(一)4 不得超过原办理时限的1倍
    notifyCitizen: true, // 003 第八条(二) 告知受理情况、处置程序期限
  },
  reHandling: { window: workingDays(3) }, // 003 第十条(二): 收到回访复核单之日3个工作日内
  replyReview: { window: workingDays(1) }, // 003 第八条(九) 审核 (no number): assumed 1 working day
  callback: { window: workingDays(2), attempts: 3, reHandleWhenNotContactedFirst: true }, // 003 "先回访、后结案" (no number): assumed 2 working days; 第八条(七) 三个不同时段; 第五条(四) 未先联、未解决、不满意的工单退回重新处置
  expertEvaluation: expertEvaluation002(false), // 003 has no expert evaluators
  urgePoints: assumedUrgePoints, // 003 二(二) 密切关注即将超期工单, 及时开展催办督办 (no number)
  escalation: {
    ladder: ['urge', 'supervise', 'coordinationMeeting'], // 003 第五条(二) 分级督办; 三(一) 专题会议研办
    urgesBeforeSupervision: 0, // 003: a missed deadline opens 督办 (两次催办未果 is 001's rule)
    overdueUrgeAfter: workingDays(1), // unused with 0 urges
    superviseOverdueAfterExtension: true, // 003 silent: assumed 000 五.3
    repeatCallsForSupervision: 5, // 003 第八条(九)3(3): 市民反复投诉(5次以上)仍未解决的
    superviseSecondCallbackUnsatisfied: true, // 003 二(二): "二次回访不满意" 实施督办
    superviseReturnWithinDuty: true, // 003 第八条(九)3(5): 属于单位法定职责...仍然申请退单的
    rehandlesForAccountability: 2, // 003 silent: assumed 004 第十九条(一)
    repeatComplaintsForAccountability: 3, // 003 silent: assumed 004 第十九条(一)
  },
  scoring: weightedFormulas003, // 003 附件2
  satisfactionGrades: defaultSatisfactionGrades, // 003 评价说明表: 满意, 基本满意, 一般, 不满意
  requiredFields: {
    returnRequest: ['suggestedUnitId', 'approvedBy'], // 003 第八条(三) 退单审核表: 初步判断责任部门, 部门负责人审核、签发
    reply: ['siteCheck', 'demandFinding', 'responder'], // 003 第八条(八)1 必须写明现场核实情况、诉求认定情况、答复人
  },
};

/** 004 泾川县 (2022): 3 working hours to sign, 2/5 working days, 三率一度. */
const jingchuan004: SlaProfile = {
  id: 'jingchuan-004',
  name: '泾川县12345政务服务便民热线 (泾政办发〔2022〕65号)',
  sources: ['004_6aa5a67460fe7f00.txt'],
  preBriefing: preBriefing003(false), // 004 silent: not required
  sign: {
    normal: workingHours(3), // 004 第十一条(一): 应在工作日3个小时内签收
    urgent: naturalMinutes(30), // 004 第十一条(一)2 即时接收 (no number): assumed 30 minutes
  },
  urgentOffHours: { reportWithin: naturalHours(4) }, // 004 第十一条(一)2 及时反馈 (no number): assumed 003 第七条(三) 4小时
  return: {
    normal: { from: 'receipt', within: workingDays(1) }, // 004 第十一条(二): 1个工作日内申请退单
    urgent: { from: 'signing', within: naturalMinutes(30) }, // 004 第十一条(二): 突发类工单应在签收后30分钟内申请退单
    approvedRestartsClock: true, // 004 第十一条(二): 同意退回的...事项办结时间重新计算
    rejectedKeepsFirstDispatchClock: true, // 004 第十一条(二): 不同意退回的...以第一次转办起始时间计算
    late: 'refused', // 004 第十一条(二) 应在1个工作日内申请退单 (a window, no late return)
  },
  firstContact: {
    window: { from: 'receipt', within: workingHours(3) }, // 004 第十一条(一): 3个小时内签收, 并主动联系服务对象 (together with signing)
    siteVisit: null, // 004 silent
    attempts: 3, // 004 silent: assumed 003 第八条(二)
    minGap: naturalHours(1), // 004 silent: assumed 003 第八条(二)
  },
  completion: {
    standard: workingDays(5), // 004 第十一条(一)1: 对非咨询类工单, 5个工作日内办结并答复
    byCategory: { consultation: workingDays(2) }, // 004 第十一条(一)1: 对咨询类工单, 2个工作日内办结并答复
    urgentByCategory: {}, // 004 silent (第十一条(一)2 即时接收、及时反馈)
    leadershipAssigned: null, // 004 第十条3 批办 (no separate limit)
  },
  extension: {
    maxCount: 1, // 004 silent on count: assumed 000 五.2 只能延期一次
    request: { anchor: 'beforeDeadline', atLeast: workingDays(1) }, // 004 第十一条(一)4: 应提前1个工作日...申请延期
    maxLength: { kind: 'factorOfOriginal', factor: 1 }, // 004 第十一条(一)4: 延长时限原则上不得超过原办理时限的1倍
    notifyCitizen: true, // 004 第十一条(一)4: 同时由承办单位向诉求人说明情况
  },
  reHandling: { window: workingDays(3) }, // 004 第十二条(三) 重新核实办理 (no number): assumed 003 第十条(二) 3个工作日
  replyReview: { window: workingDays(1) }, // 004 第十一条(四) 县热线办初审 (no number): assumed 1 working day
  callback: { window: workingDays(2), attempts: 3, reHandleWhenNotContactedFirst: false }, // 004 第十二条(三) 进行回访 (no number): assumed 2 working days; 未先联 alone does not send it back (004 silent)
  expertEvaluation: expertEvaluation002(false), // 004 has no expert evaluators
  urgePoints: assumedUrgePoints, // 004 第十二条(一) 督促按规定时限签收并办结 (no number)
  escalation: {
    ladder: ['urge', 'supervise', 'coordinationMeeting'], // 004 第十二条(二): 书面督办、指定督办、会议协调
    urgesBeforeSupervision: 0, // 004: a missed deadline opens 督办 (两次催办未果 is 001's rule)
    overdueUrgeAfter: workingDays(1), // unused with 0 urges
    superviseOverdueAfterExtension: true, // 004 第十二条(二) 异常延期 重点督办
    repeatCallsForSupervision: 5, // 004 silent: assumed 003
    superviseSecondCallbackUnsatisfied: false, // 004 silent
    superviseReturnWithinDuty: true, // 004 第十二条(二): 不当退单 重点督办
    rehandlesForAccountability: 2, // 004 第十九条(一): 同一交办事项因办理不力连续两次退回重办
    repeatComplaintsForAccountability: 3, // 004 第十九条(一): 导致三次以上重复投诉的
  },
  scoring: {
    kind: 'threeRatesOneDegree', // 004 第十七条: "三率一度", 百分制
    weights: {
      onTimeSign: 25, // 004 第十七条 按时签收率 (weights are in 附件2 xlsx, not in the seed): assumed 25
      onTimeCompletion: 25, // 004 第十七条 按时办结率: assumed 25
      resolution: 25, // 004 第十七条 问题解决率: assumed 25
      satisfaction: 25, // 004 第十七条 群众满意度: assumed 25
    },
    exclusions: [
      'suggestionNotAdopted', // 004 第十八条(一): 因建议没有被采纳而评价不满意的建议类诉求
      'noPolicyBasisExplainedRepeatedly', // 004 第十八条(二): 没有政策、法律法规依据且多次解释答复说明
      'storedRepeatComplaint', // 003 第九条 存电: 不纳入热线满意度测评 (applied here too)
    ],
  },
  satisfactionGrades: [
    ...defaultSatisfactionGrades,
    { grade: 'veryUnsatisfied', label: '非常不满意', counts: 'unsatisfied' }, // 004 第十八条: 评价为不满意、非常不满意
  ],
  requiredFields: { returnRequest: [], reply: [] }, // 004 第十一条(二) 说明理由 only (the reason is always required)
};

/**
 * The shipped profiles, one per seed jurisdiction, validated at load. Each number carries a
 * comment naming its seed file and clause, or saying what the profile assumes where the seed
 * is silent.
 */
export const shippedProfiles: Record<ProfileId, SlaProfile> = {
  'lushan-000': slaProfileSchema.parse(lushan000),
  'kaifeng-001': slaProfileSchema.parse(kaifeng001),
  'city-002': slaProfileSchema.parse(city002),
  'nanmatou-003': slaProfileSchema.parse(nanmatou003),
  'jingchuan-004': slaProfileSchema.parse(jingchuan004),
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override; // arrays and scalars replace
  // A discriminated union member changing kind is replaced, not merged (e.g. scoring kind).
  if ('kind' in override && base.kind !== override.kind) return override;
  if ('anchor' in override && base.anchor !== override.anchor) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = deepMerge(base[k], v);
  return out;
}

/**
 * A hotline's profile: `base` with `overrides` merged in (objects deeply; arrays and scalars
 * replaced; a union member whose `kind`/`anchor` changes replaced whole), then validated.
 * Throws the `ZodError` naming every invalid field.
 *
 * @example resolveProfile(shippedProfiles['jingchuan-004'], { sign: { normal: { amount: 2, unit: 'workingHours' } } })
 */
export function resolveProfile(base: SlaProfile, overrides: DeepPartial<SlaProfile> | unknown): SlaProfile {
  return slaProfileSchema.parse(deepMerge(base, overrides));
}

// The rules that read a profile live in profileRules.ts (zod-free, so the workflow bundle can
// import them without this module's schemas and shipped-profile parsing).
export { completionWindow, maxExtension, returnWindow, signWindow, type CompletionContext } from './profileRules';
