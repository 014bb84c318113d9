/**
 * 月度清单: a month's 未先联 / 未解决 / 不满意 work orders (003 第五条(三) 每月梳理分析) and those
 * overdue after an extension, with the units they counted against; per unit if chosen; CSV and
 * Excel exports; 督办 from any open row with the method chosen.
 */
import { reactive, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { exportUrls, monthList } from '../../api/reports.js';
import SuperviseDialog from '../../components/SuperviseDialog.js';
import UnitPicker from '../../components/UnitPicker.js';
import { formatTime } from '../../format.js';
import { label, t, zh } from '../../i18n.js';
import { session } from '../../session.js';
import { currentMonth } from './numbers.js';

const lists = ['notContactedFirst', 'unresolved', 'unsatisfied', 'overdueAfterExtension'];

export default {
  name: 'SupervisorMonthLists',
  components: { SuperviseDialog, UnitPicker },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref('');
    const notice = ref('');
    const pageSize = 20;
    const form = reactive({ month: '', unit: '' });
    const dialog = reactive({ open: false, id: '' });
    const state = () => ({
      list: lists.includes(route.query.list) ? String(route.query.list) : lists[0],
      month: String(route.query.month || currentMonth()),
      unit: route.query.unit ? String(route.query.unit) : undefined,
      page: Number(route.query.page) || 1,
    });
    const load = async () => {
      const s = state();
      loading.value = true;
      error.value = '';
      try {
        const data = await monthList(s.list, { month: s.month, unit: s.unit, page: s.page, pageSize });
        rows.value = data.items;
        total.value = data.total;
      } catch (e) {
        error.value = e.message;
        rows.value = [];
      } finally {
        loading.value = false;
      }
    };
    watch(() => route.query, () => {
      const s = state();
      form.month = s.month;
      form.unit = s.unit || '';
      void load();
    }, { immediate: true });
    watch(() => session.version, () => void load());
    const go = (q) => void router.push({ path: route.path, query: { ...route.query, page: undefined, ...q } });
    const apply = () => go({ month: form.month, unit: form.unit || undefined });
    const filters = () => {
      const s = state();
      return { month: s.month, unit: s.unit };
    };
    const supervise = (id) => Object.assign(dialog, { open: true, id });
    const done = (id) => ((notice.value = t('supervisor.supervise.done', { id })), void load());
    return { lists, rows, total, loading, error, notice, pageSize, form, dialog, state, go, apply, filters, supervise, done, exportUrls, label, t, zh, formatTime };
  },
  template: `<div data-test="supervisor-lists">
    <h1 class="page-title">{{ t('supervisor.lists.title') }}</h1>
    <p class="dash-note">{{ t('supervisor.lists.note') }}</p>
    <el-card class="filters">
      <el-form inline label-position="top" @submit.prevent="apply">
        <el-form-item :label="t('supervisor.performance.month')"><el-date-picker v-model="form.month" type="month" value-format="YYYY-MM" :clearable="false" style="width:150px" /></el-form-item>
        <el-form-item :label="t('supervisor.common.unit')" for="l-unit"><div style="width:200px"><unit-picker v-model="form.unit" input-id="l-unit" :label="t('supervisor.common.unit')" /></div></el-form-item>
        <el-form-item label=" "><el-button type="primary" native-type="submit">{{ t('supervisor.common.search') }}</el-button></el-form-item>
        <el-form-item label=" ">
          <el-button tag="a" :href="exportUrls.monthList(state().list, filters(), 'csv')" data-test="export-csv">{{ t('supervisor.export.csv') }}</el-button>
          <el-button tag="a" :href="exportUrls.monthList(state().list, filters(), 'xlsx')" data-test="export-xlsx">{{ t('supervisor.export.xlsx') }}</el-button>
        </el-form-item>
      </el-form>
    </el-card>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" style="margin:12px 0" />
    <el-alert v-if="notice" :title="notice" type="success" show-icon role="status" style="margin:12px 0" data-test="notice" @close="notice = ''" />
    <el-card style="margin-top:12px">
      <el-tabs :model-value="state().list" @tab-change="(name) => go({ list: name })" data-test="list-tabs">
        <el-tab-pane v-for="l in lists" :key="l" :name="l" :label="zh.supervisor.lists.names[l]" />
      </el-tabs>
      <div style="margin-bottom:8px" data-test="list-total">{{ t('supervisor.common.total', { n: total }) }}</div>
      <el-table :data="rows" v-loading="loading" row-key="workOrderId" data-test="month-list" style="width:100%">
        <template #empty><div class="empty-explained">{{ t('supervisor.lists.empty') }}</div></template>
        <el-table-column :label="t('fields.id')" width="170"><template #default="{ row }"><router-link :to="'/tickets/' + row.workOrderId">{{ row.workOrderId }}</router-link></template></el-table-column>
        <el-table-column :label="t('supervisor.lists.units')" min-width="180" show-overflow-tooltip><template #default="{ row }">{{ row.unitNames.join('、') }}</template></el-table-column>
        <el-table-column :label="t('fields.category')" width="70"><template #default="{ row }">{{ label('categories', row.category) }}</template></el-table-column>
        <el-table-column :label="t('fields.stage')" width="90"><template #default="{ row }">{{ label('stages', row.stage) }}</template></el-table-column>
        <el-table-column :label="t('form.satisfaction')" width="90"><template #default="{ row }">{{ label('satisfactions', row.satisfaction) || '—' }}</template></el-table-column>
        <el-table-column :label="t('fields.summary')" min-width="200" show-overflow-tooltip prop="summary" />
        <el-table-column :label="t('fields.createdAt')" width="150"><template #default="{ row }">{{ formatTime(row.createdAt) }}</template></el-table-column>
        <el-table-column width="80"><template #default="{ row }">
          <el-button v-if="row.stage !== 'closed' && row.stage !== 'withdrawn'" size="small" @click="supervise(row.workOrderId)" data-test="row-supervise">{{ t('supervisor.supervise.action') }}</el-button></template></el-table-column>
      </el-table>
      <el-pagination style="margin-top:12px" layout="total, prev, pager, next" :total="total" :page-size="pageSize" :current-page="state().page" @current-change="(p) => go({ page: String(p) })" />
    </el-card>
    <supervise-dialog v-model="dialog.open" :work-order-id="dialog.id" @done="done" />
  </div>`,
};
