/**
 * 督办记录: every 督办, open and closed, with its method and outcome (GET /reports/supervisions),
 * filtered by status, method and unit (kept in the URL), paged by the server, exported as CSV or
 * Excel with the same filters. A record's work order can be supervised again from its row.
 */
import { reactive, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { exportUrls, supervisions } from '../../api/reports.js';
import SuperviseDialog from '../../components/SuperviseDialog.js';
import UnitPicker from '../../components/UnitPicker.js';
import { formatTime } from '../../format.js';
import { label, options, t, zh } from '../../i18n.js';
import { session } from '../../session.js';

const filterKeys = ['status', 'method', 'unit', 'workOrderId'];

export default {
  name: 'SupervisorSupervisions',
  components: { SuperviseDialog, UnitPicker },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const filters = reactive({});
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const pageSize = 20;
    const loading = ref(false);
    const error = ref('');
    const notice = ref('');
    const dialog = reactive({ open: false, id: '' });
    const current = () => Object.fromEntries(filterKeys.filter((k) => route.query[k]).map((k) => [k, String(route.query[k])]));
    const load = async () => {
      loading.value = true;
      error.value = '';
      try {
        const data = await supervisions({ ...current(), page: page.value, pageSize });
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
      for (const k of filterKeys) filters[k] = route.query[k] ?? '';
      page.value = Number(route.query.page) || 1;
      void load();
    }, { immediate: true });
    watch(() => session.version, () => void load());
    const apply = (toPage = 1) => {
      const q = {};
      for (const k of filterKeys) if (filters[k]) q[k] = String(filters[k]);
      if (toPage > 1) q.page = String(toPage);
      void router.push({ path: route.path, query: q });
    };
    const reset = () => void router.push({ path: route.path });
    const methodLabel = (m) => (m === 'unspecified' ? t('supervisor.supervisions.unspecified') : label('superviseMethods', m));
    const methodOptions = [...options('superviseMethods'), { value: 'unspecified', label: t('supervisor.supervisions.unspecified') }];
    const closeReason = (r) => (r && zh.supervisor.supervisions.closeReasons[r]) || r || '';
    const supervise = (id) => Object.assign(dialog, { open: true, id });
    const done = (id) => ((notice.value = t('supervisor.supervise.done', { id })), void load());
    return { closeReason, filters, rows, total, page, pageSize, loading, error, notice, dialog, apply, reset, methodLabel, methodOptions, supervise, done, current, exportUrls, label, t, formatTime };
  },
  template: `<div data-test="supervisor-supervisions">
    <h1 class="page-title">{{ t('supervisor.supervisions.title') }}</h1>
    <el-card class="filters">
      <el-form inline label-position="top" @submit.prevent="apply(1)" :aria-label="t('supervisor.common.filters')">
        <el-form-item :label="t('supervisor.supervisions.status')" for="s-status"><el-select id="s-status" v-model="filters.status" clearable :placeholder="t('supervisor.supervisions.anyStatus')" style="width:110px" :aria-label="t('supervisor.supervisions.status')">
          <el-option value="open" :label="t('supervisor.supervisions.open')" /><el-option value="closed" :label="t('supervisor.supervisions.closed')" /></el-select></el-form-item>
        <el-form-item :label="t('supervisor.supervisions.method')" for="s-method"><el-select id="s-method" v-model="filters.method" clearable :placeholder="t('supervisor.supervisions.anyMethod')" style="width:190px" :aria-label="t('supervisor.supervisions.method')">
          <el-option v-for="o in methodOptions" :key="o.value" :value="o.value" :label="o.label" /></el-select></el-form-item>
        <el-form-item :label="t('supervisor.supervisions.unit')" for="s-unit"><div style="width:200px"><unit-picker v-model="filters.unit" input-id="s-unit" :label="t('supervisor.supervisions.unit')" /></div></el-form-item>
        <el-form-item :label="t('fields.id')" for="s-wo"><el-input id="s-wo" v-model="filters.workOrderId" clearable style="width:170px" /></el-form-item>
        <el-form-item label=" "><el-button type="primary" native-type="submit">{{ t('supervisor.common.search') }}</el-button><el-button @click="reset">{{ t('supervisor.common.reset') }}</el-button></el-form-item>
        <el-form-item label=" ">
          <el-button tag="a" :href="exportUrls.supervisions(current(), 'csv')" data-test="export-csv">{{ t('supervisor.export.csv') }}</el-button>
          <el-button tag="a" :href="exportUrls.supervisions(current(), 'xlsx')" data-test="export-xlsx">{{ t('supervisor.export.xlsx') }}</el-button>
        </el-form-item>
      </el-form>
    </el-card>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" style="margin:12px 0" />
    <el-alert v-if="notice" :title="notice" type="success" show-icon role="status" style="margin:12px 0" data-test="notice" @close="notice = ''" />
    <el-card style="margin-top:12px">
      <div style="margin-bottom:8px" data-test="list-total">{{ t('supervisor.common.total', { n: total }) }}</div>
      <el-table :data="rows" v-loading="loading" row-key="id" data-test="supervision-list" style="width:100%">
        <template #empty><div class="empty-explained">{{ t('supervisor.supervisions.empty') }}</div></template>
        <el-table-column :label="t('fields.id')" width="150"><template #default="{ row }"><router-link :to="'/tickets/' + row.workOrderId">{{ row.workOrderId }}</router-link></template></el-table-column>
        <el-table-column :label="t('supervisor.supervisions.unit')" min-width="150" show-overflow-tooltip><template #default="{ row }">{{ row.unitName || row.unitId || t('supervisor.supervisions.allUnits') }}</template></el-table-column>
        <el-table-column :label="t('supervisor.supervisions.method')" width="120"><template #default="{ row }"><span data-test="cell-method">{{ methodLabel(row.method) }}</span></template></el-table-column>
        <el-table-column :label="t('supervisor.supervisions.level')" width="80"><template #default="{ row }">{{ label('escalations', row.level) }}</template></el-table-column>
        <el-table-column :label="t('supervisor.supervisions.trigger')" width="110"><template #default="{ row }">{{ label('escalationTriggers', row.trigger) }}</template></el-table-column>
        <el-table-column :label="t('supervisor.supervisions.reason')" min-width="140" show-overflow-tooltip prop="reason" />
        <el-table-column :label="t('supervisor.supervisions.openedAt')" width="150"><template #default="{ row }">{{ formatTime(row.openedAt) }}</template></el-table-column>
        <el-table-column :label="t('supervisor.supervisions.openedBy')" width="110" show-overflow-tooltip><template #default="{ row }">{{ row.openedBy || t('supervisor.supervisions.system') }}</template></el-table-column>
        <el-table-column :label="t('supervisor.supervisions.outcome')" min-width="190"><template #default="{ row }">
          <strong data-test="cell-status" :class="row.status === 'open' ? 'countdown soon' : ''">{{ t('supervisor.supervisions.' + row.status) }}</strong>
          <span v-if="row.closedAt"> {{ formatTime(row.closedAt) }} {{ closeReason(row.closeReason) }}</span>
          <span>（{{ t('supervisor.supervisions.stage') }}：{{ label('stages', row.stage) }}）</span></template></el-table-column>
        <el-table-column width="80"><template #default="{ row }">
          <el-button v-if="row.stage !== 'closed' && row.stage !== 'withdrawn'" size="small" @click="supervise(row.workOrderId)" data-test="row-supervise">{{ t('supervisor.supervise.action') }}</el-button></template></el-table-column>
      </el-table>
      <el-pagination style="margin-top:12px" layout="total, prev, pager, next" :total="total" :page-size="pageSize" :current-page="page" @current-change="apply" />
    </el-card>
    <supervise-dialog v-model="dialog.open" :work-order-id="dialog.id" @done="done" />
  </div>`,
};
