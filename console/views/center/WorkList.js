/**
 * 工单列表: filters kept in the URL (shareable, survive reload), server-side paging, each row's
 * next deadline as a live countdown, nearest deadline first by default.
 */
import { reactive, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { listTickets } from '../../api/tickets.js';
import { unitNames } from '../../api/units.js';
import Countdown from '../../components/Countdown.js';
import UnitPicker from '../../components/UnitPicker.js';
import SuperviseDialog from '../../components/SuperviseDialog.js';
import { exportUrls } from '../../api/reports.js';
import { formatTime } from '../../format.js';
import { label, options, t, zh } from '../../i18n.js';
import { session } from '../../session.js';

const filterKeys = ['stage', 'unit', 'category', 'urgency', 'overdue', 'dueWithin', 'createdFrom', 'createdTo', 'text'];

export default {
  name: 'WorkList',
  components: { Countdown, UnitPicker, SuperviseDialog },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const filters = reactive({});
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const pageSize = ref(20);
    const loading = ref(false);
    const error = ref('');

    const units = ref({});
    void unitNames().then((m) => (units.value = m));
    const fromUrl = () => {
      for (const k of filterKeys) filters[k] = route.query[k] ?? '';
      // Several stages at once (`stage=dispatched,handling`, as the API takes them).
      filters.stage = filters.stage ? String(filters.stage).split(',') : [];
      filters.overdue = route.query.overdue === 'true';
      filters.range = filters.createdFrom && filters.createdTo ? [filters.createdFrom, filters.createdTo] : [];
      page.value = Number(route.query.page) || 1;
    };
    const load = async () => {
      loading.value = true;
      error.value = '';
      try {
        const q = { sort: 'deadline', page: page.value, pageSize: pageSize.value };
        for (const k of filterKeys) if (route.query[k]) q[k] = route.query[k];
        const data = await listTickets(q);
        rows.value = data.items;
        total.value = data.total;
      } catch (e) {
        error.value = e.message;
        rows.value = [];
      } finally {
        loading.value = false;
      }
    };
    const apply = (toPage = 1) => {
      const q = {};
      for (const k of filterKeys) if (filters[k] && String(filters[k])) q[k] = String(filters[k]);
      if (filters.range && filters.range.length === 2) [q.createdFrom, q.createdTo] = filters.range;
      else delete q.createdFrom, delete q.createdTo;
      if (!filters.overdue) delete q.overdue;
      if (toPage > 1) q.page = String(toPage);
      void router.push({ path: route.path, query: q });
    };
    const reset = () => void router.push({ path: route.path });
    watch(() => route.query, () => { fromUrl(); void load(); }, { immediate: true });
    watch(() => session.version, () => void load());
    const open = (row) => void router.push(`/tickets/${row.id}`);
    const dueOptions = Object.entries(zh.list.dueWithinOptions).map(([value, text]) => ({ value, label: text }));
    // 督办 from the list (issue 14): a supervisor picks the method in a dialog.
    const supervising = reactive({ open: false, id: '', notice: '' });
    const canSupervise = (row) => session.user?.role === 'supervisor' && !row.closedAt;
    const supervise = (row) => Object.assign(supervising, { open: true, id: row.id, notice: '' });
    const supervised = (id) => ((supervising.notice = t('supervisor.supervise.done', { id })), void load());
    // Supervisors and admins download the list as it is filtered (issue 14).
    const canExport = () => session.user?.role === 'supervisor' || session.user?.role === 'admin';
    const exportUrl = (format) => exportUrls.workList(Object.fromEntries(filterKeys.filter((k) => route.query[k]).map((k) => [k, String(route.query[k])])), format);
    return { canExport, exportUrl, session, supervising, canSupervise, supervise, supervised, units, filters, rows, total, page, pageSize, loading, error, apply, reset, open, options, label, t, formatTime, dueOptions };
  },
  template: `<div>
    <h1 class="page-title">{{ t('list.title') }}</h1>
    <el-card class="filters">
      <el-form inline label-position="top" @submit.prevent="apply(1)" aria-label="筛选">
        <el-form-item :label="t('fields.stage')" for="q-stage"><el-select id="q-stage" v-model="filters.stage" multiple collapse-tags collapse-tags-tooltip clearable :placeholder="t('list.anyStage')" style="width:200px" :aria-label="t('fields.stage')" data-test="q-stage">
          <el-option v-for="o in options('stages')" :key="o.value" :value="o.value" :label="o.label" /></el-select></el-form-item>
        <el-form-item :label="t('fields.unit')" for="q-unit"><div style="width:200px"><unit-picker v-model="filters.unit" input-id="q-unit" :label="t('fields.unit')" /></div></el-form-item>
        <el-form-item :label="t('fields.category')" for="q-category"><el-select id="q-category" v-model="filters.category" clearable :placeholder="t('list.anyCategory')" style="width:110px" :aria-label="t('fields.category')">
          <el-option v-for="o in options('categories')" :key="o.value" :value="o.value" :label="o.label" /></el-select></el-form-item>
        <el-form-item :label="t('fields.urgency')" for="q-urgency"><el-select id="q-urgency" v-model="filters.urgency" clearable :placeholder="t('list.anyUrgency')" style="width:90px" :aria-label="t('fields.urgency')">
          <el-option v-for="o in options('urgencies')" :key="o.value" :value="o.value" :label="o.label" /></el-select></el-form-item>
        <el-form-item :label="t('fields.dueWithin')" for="q-due"><el-select id="q-due" v-model="filters.dueWithin" style="width:110px" :aria-label="t('fields.dueWithin')">
          <el-option v-for="o in dueOptions" :key="o.value" :value="o.value" :label="o.label" /></el-select></el-form-item>
        <el-form-item :label="t('fields.createdBetween')"><el-date-picker v-model="filters.range" type="daterange" value-format="YYYY-MM-DD"
          :start-placeholder="t('fields.createdFrom')" :end-placeholder="t('fields.createdTo')" style="width:240px" /></el-form-item>
        <el-form-item :label="t('fields.text')" for="q-text"><el-input id="q-text" v-model="filters.text" style="width:160px" clearable /></el-form-item>
        <el-form-item :label="t('fields.overdue')"><el-checkbox v-model="filters.overdue" :aria-label="t('fields.overdue')" data-test="q-overdue" /></el-form-item>
        <el-form-item label=" "><el-button type="primary" native-type="submit">{{ t('list.search') }}</el-button><el-button @click="reset">{{ t('list.reset') }}</el-button></el-form-item>
      </el-form>
    </el-card>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" style="margin:12px 0" />
    <el-alert v-if="supervising.notice" :title="supervising.notice" type="success" show-icon role="status" style="margin:12px 0" data-test="notice" @close="supervising.notice = ''" />
    <supervise-dialog v-model="supervising.open" :work-order-id="supervising.id" @done="supervised" />
    <el-card style="margin-top:12px">
      <div style="margin-bottom:8px" data-test="list-total">{{ t('list.total', { n: total }) }}</div>
      <div v-if="canExport()" style="margin-bottom:8px">
        <el-button size="small" tag="a" :href="exportUrl('csv')" data-test="export-csv">{{ t('supervisor.export.csv') }}</el-button>
        <el-button size="small" tag="a" :href="exportUrl('xlsx')" data-test="export-xlsx">{{ t('supervisor.export.xlsx') }}</el-button>
      </div>
      <el-table :data="rows" v-loading="loading" row-key="id" @row-dblclick="open" style="width:100%" data-test="work-list">
        <template #empty><div class="empty-explained">{{ t('list.empty') }}</div></template>
        <el-table-column :label="t('fields.id')" width="170"><template #default="{ row }"><router-link :to="'/tickets/' + row.id">{{ row.id }}</router-link></template></el-table-column>
        <el-table-column :label="t('fields.stage')" width="100"><template #default="{ row }"><el-tag size="small">{{ label('stages', row.stage) }}</el-tag></template></el-table-column>
        <el-table-column :label="t('fields.nextDeadline')" width="190"><template #default="{ row }">
          <countdown v-if="!row.closedAt" :deadline="row.nextDeadline" :overdue="row.overdue" :provisional="!!(row.provisional || row.nextDeadlineProvisional)" /><span v-else>—</span></template></el-table-column>
        <el-table-column :label="t('fields.category')" width="70"><template #default="{ row }">{{ label('categories', row.category) }}</template></el-table-column>
        <el-table-column :label="t('fields.urgency')" width="70"><template #default="{ row }"><el-tag v-if="row.urgency === 'urgent'" type="danger" size="small">{{ label('urgencies', row.urgency) }}</el-tag><span v-else>{{ label('urgencies', row.urgency) }}</span></template></el-table-column>
        <el-table-column :label="t('fields.summary')" min-width="200" show-overflow-tooltip prop="summary" />
        <el-table-column :label="t('fields.mainUnit')" width="150" show-overflow-tooltip><template #default="{ row }">{{ units[row.mainUnitId] || row.mainUnitId || '—' }}</template></el-table-column>
        <el-table-column :label="t('fields.createdAt')" width="150"><template #default="{ row }">{{ formatTime(row.createdAt) }}</template></el-table-column>
        <el-table-column v-if="session.user?.role === 'supervisor'" width="80"><template #default="{ row }">
          <el-button v-if="canSupervise(row)" size="small" @click="supervise(row)" data-test="row-supervise">{{ t('supervisor.supervise.action') }}</el-button></template></el-table-column>
      </el-table>
      <el-pagination style="margin-top:12px" layout="total, prev, pager, next" :total="total" :page-size="pageSize" :current-page="page" @current-change="apply" />
    </el-card>
  </div>`,
};
