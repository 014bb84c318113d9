/**
 * 工单详情: every field, the units, every clock with its deadline and state, urges and
 * escalations, the whole timeline (who, what, when in +08:00) and the actions open to the user
 * at this stage as forms. A unit that is not on the work order gets the API's 404, shown as such.
 */
import { computed, ref, watch } from 'vue';
import { useRoute } from 'vue-router';
import { ElMessage } from 'element-plus';
import { getTicket, ticketEvents } from '../../api/tickets.js';
import { unitNames } from '../../api/units.js';
import Countdown from '../../components/Countdown.js';
import { formatTime } from '../../format.js';
import { label, t, zh } from '../../i18n.js';
import { session } from '../../session.js';
import ActionForm from './ActionForm.js';
import { actionsFor } from './actionSpecs.js';

export default {
  name: 'WorkOrderPage',
  components: { ActionForm, Countdown },
  setup() {
    const route = useRoute();
    const state = ref(null);
    const events = ref([]);
    const error = ref('');
    const loading = ref(false);
    const units = ref({});
    void unitNames().then((m) => (units.value = m));
    const unitName = (id) => (id ? units.value[id] || id : '—');
    const load = async () => {
      loading.value = true;
      try {
        const id = route.params.id;
        state.value = await getTicket(id);
        events.value = (await ticketEvents(id)).items;
        error.value = '';
      } catch (e) {
        error.value = e.message;
        state.value = null;
      } finally {
        loading.value = false;
      }
    };
    watch(() => route.params.id, () => void load(), { immediate: true });
    watch(() => session.version, () => void load());
    const actions = computed(() => (state.value ? actionsFor(session.user, state.value) : []));
    const done = (action, next) => {
      ElMessage.success(t('workOrder.done', { action: label('actions', action) }));
      state.value = next;
      void load();
    };
    const actor = (e) =>
      e.actor?.role === 'system' || !e.actor?.userId
        ? t('workOrder.system')
        : `${label('roles', e.actor.role)} ${e.actor.unitId ? unitName(e.actor.unitId) : e.actor.userId}`;
    // `sign:kf-047:1` → 签收（市城市照明管理处）
    const clockLabel = (clockId) => {
      const [name, unitId] = String(clockId).split(':');
      return unitId ? `${label('clocks', name)}（${unitName(unitId)}）` : label('clocks', name);
    };
    // In words, from the escalation's fields: the workflow's own reason text is for machines,
    // a person's reason (manual 督办) is shown as written.
    const escalationText = (e) =>
      [e.unitId ? unitName(e.unitId) : '', e.clockId ? label('clocks', e.clockId.split(':')[0]) : '', label('escalationTriggers', e.trigger), e.by ? e.reason : '']
        .filter(Boolean)
        .join(' · ');
    const value = (group, v) => {
      if (v === true) return t('form.yes');
      if (v === false) return t('form.no');
      if (Array.isArray(v)) return v.map((x) => value(group, x)).join('、');
      if (group === 'unit') return unitName(v);
      if (group === 'time') return formatTime(v);
      if (group === 'clockId') return clockLabel(v);
      return group ? label(group, v) : String(v);
    };
    // Only the fields the locale names, in Chinese: no raw keys or codes on screen.
    const detailText = (d, type, system) =>
      Object.entries(d || {})
        .filter(([k, v]) => zh.detailKeys[k] && !(k === 'reason' && (type === 'closed' || system)) && v !== null && v !== undefined && v !== '' && (typeof v !== 'object' || Array.isArray(v)) && !(Array.isArray(v) && !v.length))
        .map(([k, v]) => `${zh.detailKeys[k][0]}：${value(zh.detailKeys[k][1], v)}`)
        .join('；');
    return { state, events, error, loading, actions, done, actor, detailText, unitName, escalationText, label, t, formatTime, session };
  },
  template: `<div v-loading="loading">
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" role="alert" data-test="page-error" />
    <template v-if="state">
      <h1 class="page-title">{{ t('workOrder.title', { id: state.workOrderId }) }}
        <el-tag data-test="stage">{{ label('stages', state.stage) }}</el-tag>
        <el-tag v-if="state.urgency === 'urgent'" type="danger">{{ label('urgencies', 'urgent') }}</el-tag>
        <el-tag v-if="state.confidential" type="info">{{ t('badges.confidential') }}</el-tag></h1>
      <el-row :gutter="12">
        <el-col :xs="24" :lg="15">
          <el-card><h2 style="font-size:16px;margin-top:0">{{ t('workOrder.details') }}</h2>
            <el-descriptions :column="2" border size="small" data-test="details">
              <el-descriptions-item :label="t('fields.callerName')">{{ state.intake.callerName || '—' }}</el-descriptions-item>
              <el-descriptions-item :label="t('fields.callerPhone')"><span data-test="caller-phone">{{ state.intake.callerPhone || t('workOrder.hiddenPhone') }}</span></el-descriptions-item>
              <el-descriptions-item :label="t('fields.channel')">{{ label('channels', state.channel) }}</el-descriptions-item>
              <el-descriptions-item :label="t('fields.category')">{{ label('categories', state.category) }}</el-descriptions-item>
              <el-descriptions-item :label="t('fields.classification')">{{ label('classifications', state.classification) }}</el-descriptions-item>
              <el-descriptions-item :label="t('fields.createdAt')">{{ formatTime(state.createdAt) }}</el-descriptions-item>
              <el-descriptions-item :label="t('fields.address')" :span="2">{{ state.intake.address || '—' }}</el-descriptions-item>
              <el-descriptions-item :label="t('fields.summary')" :span="2">{{ state.intake.summary }}</el-descriptions-item>
              <el-descriptions-item v-if="state.instruction" :label="t('fields.instruction')" :span="2">{{ state.instruction }}</el-descriptions-item>
            </el-descriptions>
            <h3 style="font-size:15px">{{ t('workOrder.units') }}</h3>
            <ul><li v-for="u in state.units" :key="u.unitId + u.dispatchNo">{{ unitName(u.unitId) }}（{{ u.role === 'main' ? t('workOrder.mainRole') : t('workOrder.coRole') }}）
              <span v-if="u.signedAt">{{ t('workOrder.signedAt') }} {{ formatTime(u.signedAt) }}</span><span v-else>{{ t('workOrder.notSigned') }}</span></li></ul>
            <template v-if="state.replies && state.replies.length"><h3 style="font-size:15px">{{ t('workOrder.replies') }}</h3>
              <p v-for="r in state.replies" :key="r.at">{{ formatTime(r.at) }} {{ unitName(r.unitId) }} · {{ label('resultTypes', r.resultType) }}：{{ r.answer }}</p></template>
          </el-card>
          <el-card style="margin-top:12px"><h2 style="font-size:16px;margin-top:0">{{ t('workOrder.clocks') }}</h2>
            <el-table :data="state.clocks" size="small" data-test="clocks">
              <el-table-column :label="t('workOrder.clockName')" width="110"><template #default="{ row }">{{ label('clocks', row.name) }}</template></el-table-column>
              <el-table-column :label="t('workOrder.clockCountdown')" min-width="170"><template #default="{ row }">
                <countdown v-if="row.status === 'pending' || row.status === 'missed' && !row.doneAt" :deadline="row.deadline" :overdue="row.status === 'missed'" :provisional="!!row.provisional" /><span v-else>—</span></template></el-table-column>
              <el-table-column :label="t('workOrder.clockUnit')" width="130"><template #default="{ row }">{{ row.unitId ? unitName(row.unitId) : t('workOrder.center') }}</template></el-table-column>
              <el-table-column :label="t('workOrder.clockDeadline')" width="150"><template #default="{ row }">{{ formatTime(row.deadline) }}<span v-if="row.extended">（{{ t('workOrder.extended') }}）</span></template></el-table-column>
              <el-table-column :label="t('workOrder.clockStatus')" width="90"><template #default="{ row }">{{ label('clockStatus', row.status) }}</template></el-table-column>
            </el-table>
          </el-card>
          <el-card style="margin-top:12px"><h2 style="font-size:16px;margin-top:0">{{ t('workOrder.escalations') }}</h2>
            <p v-if="!state.escalations.length" style="color:#606266">{{ t('workOrder.escalationsEmpty') }}</p>
            <ul v-else data-test="escalations"><li v-for="e in state.escalations" :key="e.seq">{{ formatTime(e.at) }} <el-tag size="small" type="warning">{{ label('escalations', e.kind) }}</el-tag> {{ escalationText(e) }}<span v-if="e.method" data-test="escalation-method"> · {{ label('superviseMethods', e.method) }}</span></li></ul>
          </el-card>
          <el-card style="margin-top:12px"><h2 style="font-size:16px;margin-top:0">{{ t('workOrder.timeline') }}</h2>
            <p v-if="!events.length" style="color:#606266">{{ t('workOrder.timelineEmpty') }}</p>
            <el-timeline v-else data-test="timeline"><el-timeline-item v-for="e in events" :key="e.seq" :timestamp="formatTime(e.at)">
              <strong>{{ label('events', e.type) }}</strong> · {{ actor(e) }}<div style="font-size:12px;color:#606266">{{ detailText(e.detail, e.type, e.actor?.role === 'system') }}</div>
            </el-timeline-item></el-timeline>
          </el-card>
        </el-col>
        <el-col :xs="24" :lg="9" class="action-forms">
          <h2 style="font-size:16px">{{ t('workOrder.actions') }}</h2>
          <p v-if="!actions.length" class="empty-explained">{{ t('workOrder.actionsEmpty') }}</p>
          <el-card v-for="a in actions" :key="state.workOrderId + a + state.seq" :data-test="'card-' + a">
            <h3 style="font-size:15px;margin-top:0">{{ label('actions', a) }}</h3>
            <action-form :work-order-id="state.workOrderId" :action="a" @done="done(a, $event)" />
          </el-card>
        </el-col>
      </el-row>
    </template>
  </div>`,
};
