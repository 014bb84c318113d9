/**
 * The work order (工单) vocabulary shared by the workflow, its activities and the HTTP API.
 *
 * Every actor action is described once here as a zod schema: the API validates request bodies
 * with it and the workflow's update validators check the same shape, so the two never drift.
 * Pure and workflow-safe: no Node built-ins, no I/O.
 *
 * Sources: `RULES.md` (lifecycle), seeds 001 (confidential 举报 callers), 003 (reply fields,
 * result types, satisfaction grades), 004 (classification 即办/转办/批办).
 */
import { z } from 'zod';
import { isoDateTimeSchema } from './storableSchemas';

/** 诉求类别: 咨询 / 求助 / 投诉 / 举报 / 建议 / 表扬. */
export const categories = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const;
export const categorySchema = z.enum(categories);
export type Category = z.infer<typeof categorySchema>;

/** 紧急程度: 一般 / 紧急. */
export const urgencySchema = z.enum(['normal', 'urgent']);
export type Urgency = z.infer<typeof urgencySchema>;

/** 分类处置 (004): 即办 answered by the center at once; 转办 dispatched; 批办 leadership first. */
export const classificationSchema = z.enum(['immediate', 'dispatch', 'leadership']);
export type Classification = z.infer<typeof classificationSchema>;

/** 受理渠道. */
export const channelSchema = z.enum(['phone', 'web', 'app', 'wechat', 'letter', 'email', 'other']);
export type Channel = z.infer<typeof channelSchema>;

/** 办理结果类型 (003): 实际解决 / 解释说明 / 诉求过高 / 参考备案 / 未解决. */
export const resultTypeSchema = z.enum(['resolved', 'explained', 'demandTooHigh', 'notedForReference', 'unresolved']);
export type ResultType = z.infer<typeof resultTypeSchema>;

/**
 * 满意度: 满意 / 基本满意 / 一般 / 不满意 (003 评价说明表) / 非常不满意 (004 第十八条). Which of them a
 * hotline offers, and what each counts as, is profile data (`satisfactionGrades`).
 */
export const satisfactionSchema = z.enum(['satisfied', 'basicallySatisfied', 'neutral', 'unsatisfied', 'veryUnsatisfied']);
export type Satisfaction = z.infer<typeof satisfactionSchema>;

/** Where a work order is in its life. Terminal: `closed`, `withdrawn`. */
export const stageSchema = z.enum([
  'preBriefing', // 先行简告: the center phones the caller before dispatch
  'awaitingInstruction', // 批办: waiting for a leadership instruction
  'awaitingDispatch', // pre-briefed (or not needed) and waiting for the center to dispatch
  'dispatched', // 派单: waiting for the main unit to sign
  'handling', // 签收 done: contact, handle, reply
  'returnRequested', // 退单: the unit asked to return it, the center reviews
  'replied', // 办结回复: the center reviews the reply
  'callback', // 回访: the center calls the citizen back
  'expertEvaluation', // 专业评价 (002) of an unsatisfied callback
  'closed', // 结案
  'withdrawn', // 撤单
]);
export type Stage = z.infer<typeof stageSchema>;
export { terminalStages } from './stages';

/** The identifier of a unit (承办单位), e.g. `kf-001`. */
export const unitIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only');
/** The work-order number, which is also the workflow id. */
export const workOrderIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');

const text = (max: number) => z.string().trim().min(1).max(max);
const isoTime = isoDateTimeSchema();

/** Who performed an action; filled by the API from the caller's token, never from the body. */
export const actorSchema = z.object({
  userId: z.string().min(1),
  role: z.enum(['center', 'unit', 'supervisor', 'admin', 'evaluator', 'system']), // evaluator: 专业评价员 (002 三)
  unitId: unitIdSchema.optional(),
});
export type Actor = z.infer<typeof actorSchema>;

/** 受理: what the center records when it takes the call. */
export const intakeSchema = z.object({
  callerName: text(64),
  callerPhone: z.string().regex(/^\+?[0-9-]{3,20}$/, 'digits, optional + and -'),
  channel: channelSchema.default('phone'),
  summary: text(4000),
  category: categorySchema,
  urgency: urgencySchema.default('normal'),
  address: z.string().trim().max(500).optional(),
  classification: classificationSchema.default('dispatch'),
  /** For 即办: the answer the center gave at once (from the knowledge base). */
  immediateAnswer: z.string().trim().max(4000).optional(),
  /** Dispatch at creation (转办) when the center already knows the units. */
  mainUnitId: unitIdSchema.optional(),
  coUnitIds: z.array(unitIdSchema).max(20).default([]),
  /** Statutory time limit that wins over the profile (004: 法律法规另有规定的从其规定), in working days. */
  statutoryWorkingDays: z.number().int().positive().max(365).optional(),
  /** 工单有实际现场 (003 第八条(一)): the unit must be on site within the profile's `siteVisit`. */
  hasSite: z.boolean().optional(),
  /** The caller asked for confidentiality (003 第十四条 公民要求保密; 001 三(一)5 承诺保密): any category. */
  confidential: z.boolean().optional(),
});
export type Intake = z.infer<typeof intakeSchema>;

// ---- The center's actions -------------------------------------------------------------------

/** 先行简告: one phone attempt to the caller. */
export const preBriefSchema = z.object({
  reached: z.boolean(),
  note: z.string().trim().max(2000).optional(),
});
/** 批办: the leadership instruction that releases a held work order. */
export const instructionSchema = z.object({ instruction: text(2000) });
/** 派单 (and re-dispatch): the main unit and co-units. */
export const dispatchSchema = z.object({
  mainUnitId: unitIdSchema,
  coUnitIds: z.array(unitIdSchema).max(20).default([]),
  instruction: z.string().trim().max(2000).optional(),
});
/** 退单审核: approve (re-dispatch to `nextMainUnitId`) or reject (same unit continues). */
export const returnReviewSchema = z.object({
  approved: z.boolean(),
  nextMainUnitId: unitIdSchema.optional(),
  nextCoUnitIds: z.array(unitIdSchema).max(20).optional(),
  reason: text(2000),
  /**
   * A rejection because the work order is within the unit's duty (000 附件2 四.6 本属职能范围却作为回退件
   * 处理, −1; 003 第八条(九)3(5)). Absent on a rejection: within duty (why else refuse it).
   */
  withinDuty: z.boolean().optional(),
});
/** 延期审核. */
export const extensionReviewSchema = z.object({ approved: z.boolean(), reason: text(2000) });
/** 办结审核: accept the reply, or send it back to the unit. */
export const replyReviewSchema = z.object({ accepted: z.boolean(), reason: text(2000) });
/** 回访. */
export const callbackSchema = z.object({
  reached: z.boolean().default(true),
  contactedFirst: z.boolean(),
  answered: z.boolean(),
  resolved: z.boolean(),
  satisfaction: satisfactionSchema,
  /**
   * 市民测评 (003 附件2 诉求解决率): the citizen's own verdict on the result (实际解决, 解释说明,
   * 参考备案, ...), which 003 scores, not the unit's reply result type.
   */
  citizenResultType: resultTypeSchema.optional(),
  /** 004 第十八条 exclusions from satisfaction. */
  exclusion: z.enum(['suggestionNotAdopted', 'noPolicyBasisExplainedRepeatedly', 'storedRepeatComplaint']).optional(),
  /** For 不满意: send to an expert evaluator (002) instead of re-handling at once. */
  requestExpertEvaluation: z.boolean().default(false),
  note: z.string().trim().max(2000).optional(),
});
/** The grades of a 专业评价 (002 三(五)3: 满意 / 基本满意 / 不满意, with a reason). */
export const expertGradeSchema = z.enum(['satisfied', 'basicallySatisfied', 'unsatisfied']);
/**
 * 专业评价 (002 三(五)3, 三(六)): the evaluator's final grade of an unsatisfied callback, with its
 * reason; the grade counts in the unit's satisfaction rate. `ruling` is the older form (upheld /
 * overturned), still accepted so recorded histories replay.
 */
export const expertRulingSchema = z
  .object({
    grade: expertGradeSchema.optional(),
    ruling: z.enum(['upheld', 'overturned']).optional(), // older form: upheld = the unsatisfied rating stands
    reason: text(2000),
  })
  .refine((v) => v.grade !== undefined || v.ruling !== undefined, { message: '满意, 基本满意 or 不满意 is required', path: ['grade'] });
/** 撤单. */
export const withdrawSchema = z.object({ reason: text(2000) });
/** 督办 by hand. */
export const superviseSchema = z.object({
  reason: text(2000),
  trigger: z
    .enum(['manual', 'cityOrDistrict', 'media', 'repeatCaller', 'repeatComplaints', 'shirking', 'returnWithinDuty', 'secondCallbackUnsatisfied'])
    .default('manual'),
  /**
   * For `repeatCaller` / `repeatComplaints`: how many times the same caller called about it (the
   * cross-work-order count comes from elsewhere). Checked against the profile's
   * `repeatCallsForSupervision` (003 第八条(九)3(3): 5次以上) and `repeatComplaintsForAccountability`
   * (004 第十九条(一): 三次以上重复投诉 → 追责, the top rung).
   */
  repeatCount: z.number().int().min(1).max(10_000).optional(),
  /** 督办方式 (004 第十二条(二) 书面督办、指定督办、会议协调; 001 三(三) 电话督办、现场督办、协调督办). */
  method: z.enum(['written', 'phone', 'onSite', 'meeting', 'designated']).optional(),
  /** The rung of the profile's ladder (default its first after 催办), e.g. onSiteSupervise. */
  level: z.string().min(1).max(64).optional(),
});

// ---- The unit's actions ---------------------------------------------------------------------

/** 签收. */
export const signSchema = z.object({ note: z.string().trim().max(2000).optional() });
/**
 * 退单 with its reason; 003 第八条(三) 《退单审核表》 adds the unit's first judgement of the
 * responsible unit and its head's approval (a profile's `requiredFields.returnRequest` makes them
 * required).
 */
export const returnRequestSchema = z.object({
  reason: text(2000),
  /** 初步判断投诉事项的责任部门 (003 第八条(三)): the unit suggested to handle it instead. */
  suggestedUnitId: unitIdSchema.optional(),
  /** 由部门负责人审核、签发 (003 第八条(三)): the unit head who approved the return. */
  approvedBy: text(64).optional(),
});
/** 先行联系: one attempt to reach the caller. */
export const contactSchema = z.object({
  reached: z.boolean(),
  method: z.enum(['phone', 'visit', 'sms', 'other']).default('phone'),
  person: text(64),
  note: z.string().trim().max(2000).optional(),
});
/** 延期申请: how many working days more, and why. */
export const extensionRequestSchema = z.object({
  workingDays: z.number().int().positive().max(60),
  reason: text(2000),
  /**
   * What the unit tells the citizen of the new time limit and why (004 第十一条(一)4 同时由承办单位向
   * 诉求人说明情况; 000 附件2 四.4): recorded as a citizen notification when the extension is approved.
   */
  citizenNotice: z.string().trim().min(1).max(2000).optional(),
});
/** 办结回复 (003): the fields a reply carries. */
export const replySchema = z.object({
  resultType: resultTypeSchema,
  firstContactAt: isoTime,
  firstContactPerson: text(64),
  facts: text(4000),
  answer: text(4000),
  answeredAt: isoTime,
  attachments: z.array(z.object({ name: text(200), url: z.string().url().max(2000) })).max(20).default([]),
  /** 现场核实情况 (003 第八条(八)1). */
  siteCheck: z.string().trim().min(1).max(4000).optional(),
  /** 诉求认定情况 (003 第八条(八)1). */
  demandFinding: z.string().trim().min(1).max(4000).optional(),
  /** 答复人 (003 第八条(八)1 答复市民时间及答复人). */
  responder: text(64).optional(),
  /** 事实认定 (003 第八条(九)1): 属实 / 部分属实 / 不属实. */
  factFinding: z.enum(['true', 'partlyTrue', 'untrue']).optional(),
  /** 《事实认定"不属实"工单情况说明表》 (003 附件1.2): required with an 不属实 finding. */
  untrueExplanation: z.string().trim().min(1).max(4000).optional(),
}).refine((r) => r.factFinding !== 'untrue' || r.untrueExplanation !== undefined, {
  message: '不属实 needs its explanation (003 附件1.2 事实认定"不属实"工单情况说明表)',
  path: ['untrueExplanation'],
});

export type PreBrief = z.infer<typeof preBriefSchema>;
export type Instruction = z.infer<typeof instructionSchema>;
export type Dispatch = z.infer<typeof dispatchSchema>;
export type ReturnReview = z.infer<typeof returnReviewSchema>;
export type ExtensionReview = z.infer<typeof extensionReviewSchema>;
export type ReplyReview = z.infer<typeof replyReviewSchema>;
export type Callback = z.infer<typeof callbackSchema>;
export type ExpertRuling = z.infer<typeof expertRulingSchema>;
export type Withdraw = z.infer<typeof withdrawSchema>;
export type Supervise = z.infer<typeof superviseSchema>;
export type Sign = z.infer<typeof signSchema>;
export type ReturnRequest = z.infer<typeof returnRequestSchema>;
export type Contact = z.infer<typeof contactSchema>;
export type ExtensionRequest = z.infer<typeof extensionRequestSchema>;
export type Reply = z.infer<typeof replySchema>;

/** Every action arrives as `{ actor, ...body }`. */
export type Acted<T> = T & { actor: Actor };

/**
 * The rule a refused action broke: the `type` of the workflow's `ApplicationFailure`, and what
 * the API answers with its 409.
 */
export const refusalTypes = [
  'WORK_ORDER_CLOSED',
  'WRONG_STAGE',
  'NOT_ASSIGNED_UNIT',
  'NOT_MAIN_UNIT',
  'ROLE_NOT_ALLOWED',
  'RETURN_WINDOW_CLOSED',
  'EXTENSION_ALREADY_USED',
  'EXTENSION_TOO_LATE',
  'EXTENSION_TOO_LONG',
  'EXTENSION_PENDING',
  'PRE_BRIEF_ATTEMPT_TOO_SOON',
  'INVALID_INPUT',
  // Added by the workflow (issue 4):
  'CONTACT_ATTEMPT_TOO_SOON', // 先行联系 attempts must be apart (003 第八条(二))
  'RETURN_ALREADY_REJECTED', // a unit whose return was rejected must handle it (003, 004)
  'UNIT_NOT_SIGNED', // contact / reply before 签收
  'EXTENSION_TOO_SHORT', // 000 附件1 五.2 延期时限一般在3-5天 (issue 12)
] as const;
export type RefusalType = (typeof refusalTypes)[number];
