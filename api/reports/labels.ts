/**
 * The Chinese words of the supervisor's exports (CSV and Excel column headers and values). The
 * console has its own copy in console/locales/zh-CN.js (`supervisor`): the browser cannot import
 * server code, and a download must read the same without the console.
 */
export const rateLabels: Record<string, string> = {
  onTimeSign: '按时签收率',
  onTimeCompletion: '按时办结率',
  completion: '办结率',
  firstContact: '先行联系率',
  resolution: '问题解决率',
  satisfaction: '满意率',
};

/** The scoring schemes' items (domain/profile.ts), by id. */
export const itemLabels: Record<string, string> = {
  onTimeCompletion: '按期办结', timeliness: '办理时效', volumeBonus: '办件量加分', volumeRank: '办件量排名', volume: '承办工单量', timely: '及时处置率',
  firstContact: '先行联系率', resolution: '诉求解决率', satisfaction: '市民满意率', onTimeSign: '按时签收率', rates: '指标达标',
  timelySign: '及时签收', returnHandling: '退回处理', timelyCompletion: '限时办理', extension: '申请延期', reply: '答复反馈', rehandling: '整改重办',
  urgingAndSupervision: '催办督办', serviceQuality: '服务质量',
};

export const stageLabels: Record<string, string> = {
  preBriefing: '先行简告', awaitingInstruction: '待批办', awaitingDispatch: '待派单', dispatched: '待签收', handling: '办理中',
  returnRequested: '退单待审', replied: '回复待审', callback: '待回访', expertEvaluation: '专业评价', closed: '已办结', withdrawn: '已撤单',
};

export const categoryLabels: Record<string, string> = { consultation: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬' };

export const urgencyLabels: Record<string, string> = { normal: '一般', urgent: '紧急' };

export const satisfactionLabels: Record<string, string> = { satisfied: '满意', basicallySatisfied: '基本满意', neutral: '一般', unsatisfied: '不满意' };

export const methodLabels: Record<string, string> = {
  written: '书面督办', phone: '电话督办', onSite: '现场督办', meeting: '会议协调', designated: '指定督办', unspecified: '未指定方式（系统督办）',
};

export const triggerLabels: Record<string, string> = {
  urgePoint: '时限将至', missedDeadline: '超过时限', overdueAfterExtension: '延期后仍超期', urgedTwice: '多次催办仍未办理',
  repeatedReHandle: '多次重办', manual: '人工督办', cityOrDistrict: '市、区领导交办', media: '媒体关注', repeatCaller: '重复来电',
  repeatComplaints: '重复投诉', shirking: '推诿扯皮', returnWithinDuty: '职责范围内退单', secondCallbackUnsatisfied: '二次回访不满意',
};

export const levelLabels: Record<string, string> = { urge: '催办', supervise: '督办', onSiteSupervise: '现场督办', coordinationMeeting: '协调会' };

/** Why a 督办 record closed (workflows/lifecycle.ts closes it with its work order). */
export const closeReasonLabels: Record<string, string> = { 'work order closed': '随工单办结而结束', 'work order withdrawn': '随工单撤单而结束' };

export const monthListLabels: Record<string, string> = {
  notContactedFirst: '未先联工单', unresolved: '未解决工单', unsatisfied: '不满意工单', overdueAfterExtension: '延期后仍超期工单',
};

/** The label, or the value itself when there is none. */
export const labelOf = (labels: Record<string, string>, value: string | null | undefined): string => (value == null ? '' : (labels[value] ?? value));
