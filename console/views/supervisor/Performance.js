/**
 * 单位考核: the month's rates and scores of every unit under the hotline's scheme (whatever
 * GET /reports/monthly computes for the active profile) as a sortable table, a ranking bar chart
 * (the units taking part, best first), each rate's trend over 12 months, and one unit's items
 * with what cost it points (UnitBreakdown). Units with no work in the month are 不参与考核, listed
 * last and not ranked. Month and unit stay in the URL.
 */
import { computed, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { exportUrls, monthlyReport, trend } from '../../api/reports.js';
import EChart from '../../components/EChart.js';
import { formatTime } from '../../format.js';
import { t, zh } from '../../i18n.js';
import { currentMonth, formatPoints, formatRate } from './numbers.js';
import UnitBreakdown from './UnitBreakdown.js';

const rateKeys = ['onTimeSign', 'onTimeCompletion', 'completion', 'firstContact', 'resolution', 'satisfaction'];

export default {
  name: 'SupervisorPerformance',
  components: { EChart, UnitBreakdown },
  setup() {
    const route = useRoute();
    const router = useRouter();
    const report = ref(null);
    const trendData = ref(null);
    const error = ref('');
    const loading = ref(false);
    const month = computed(() => String(route.query.month || currentMonth()));
    const unit = computed(() => (route.query.unit ? String(route.query.unit) : ''));
    const monthModel = ref(month.value);

    const load = async () => {
      loading.value = true;
      error.value = '';
      try {
        report.value = await monthlyReport(month.value);
      } catch (e) {
        error.value = e.message;
        report.value = null;
      } finally {
        loading.value = false;
      }
    };
    const loadTrend = async () => {
      try {
        trendData.value = await trend(month.value, unit.value || undefined);
      } catch (e) {
        error.value = e.message;
      }
    };
    watch(month, () => ((monthModel.value = month.value), void load(), void loadTrend()), { immediate: true });
    watch(unit, () => void loadTrend());
    const go = (q) => void router.push({ path: route.path, query: { ...route.query, ...q } });
    const pickMonth = (m) => m && go({ month: m, unit: undefined });
    const pickUnit = (id) => go({ unit: id });

    const itemIds = computed(() => [...new Set((report.value?.units ?? []).flatMap((u) => Object.keys(u.breakdown)))]);
    /** Table rows: the units taking part (best first), then 不参与考核. */
    const rows = computed(() => {
      const r = report.value;
      if (!r) return [];
      return [
        ...r.units.filter((u) => u.participating),
        ...r.units.filter((u) => !u.participating),
        ...r.unitsWithoutWork.map((u) => ({ ...u, participating: false, rank: null, volume: 0, rates: {}, breakdown: {}, score: null, absent: true })),
      ];
    });
    const rated = computed(() => (report.value?.units ?? []).filter((u) => u.participating));
    const sortBy = (f) => (a, b) => {
      const x = f(a);
      const y = f(b);
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
      if (y === null || y === undefined) return -1;
      return x < y ? -1 : x > y ? 1 : 0;
    };
    const rankingOption = computed(() => {
      const units = rated.value;
      return {
        grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: { type: 'value', name: t('supervisor.performance.points') },
        yAxis: { type: 'category', inverse: true, data: units.map((u) => u.unitName || u.unitId), axisLabel: { width: 140, overflow: 'truncate' } },
        series: [{
          type: 'bar',
          name: t('supervisor.performance.score'),
          data: units.map((u) => ({ value: u.score, unitId: u.unitId })),
          label: { show: true, position: 'right' },
          itemStyle: { color: '#1d3b6a' },
        }],
      };
    });
    const rankingHeight = computed(() => `${Math.max(200, rated.value.length * 28 + 40)}px`);
    const trendOption = computed(() => {
      const months = trendData.value?.months ?? [];
      return {
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v}%`) },
        legend: { top: 0, data: rateKeys.map((k) => zh.supervisor.rates[k]) },
        xAxis: { type: 'category', data: months.map((m) => m.month) },
        yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
        series: rateKeys.map((k) => ({
          type: 'line',
          name: zh.supervisor.rates[k],
          rateKey: k,
          connectNulls: false,
          data: months.map((m) => (m.rates[k] === null ? null : Math.round(m.rates[k] * 10000) / 100)),
        })),
      };
    });
    const pickBar = (params) => params && params.data && params.data.unitId && pickUnit(params.data.unitId);
    const schemeName = computed(() => (report.value ? zh.supervisor.performance.schemes[report.value.scheme] || report.value.scheme : ''));
    const itemLabel = (id) => zh.supervisor.items[id] || id;
    return {
      report, error, loading, month, monthModel, unit, rows, rated, itemIds, rateKeys, rankingOption, rankingHeight, trendOption, schemeName, trendData,
      pickMonth, pickUnit, pickBar, sortBy, itemLabel, formatRate, formatPoints, formatTime, exportUrls, t, zh,
    };
  },
  template: `<div data-test="supervisor-performance">
    <h1 class="page-title">{{ t('supervisor.performance.title') }}</h1>
    <el-card class="filters">
      <el-form inline label-position="top">
        <el-form-item :label="t('supervisor.performance.month')">
          <el-date-picker v-model="monthModel" type="month" value-format="YYYY-MM" :clearable="false" @change="pickMonth" style="width:150px" data-test="perf-month" />
        </el-form-item>
        <el-form-item label=" ">
          <el-button tag="a" :href="exportUrls.monthly(month, 'csv')" data-test="export-csv">{{ t('supervisor.export.csv') }}</el-button>
          <el-button tag="a" :href="exportUrls.monthly(month, 'xlsx')" data-test="export-xlsx">{{ t('supervisor.export.xlsx') }}</el-button>
        </el-form-item>
      </el-form>
      <div v-if="report" data-test="perf-scheme">{{ t('supervisor.performance.scheme') }}：{{ schemeName }}（{{ report.profileId }}）；{{ t('supervisor.performance.asOf') }} {{ formatTime(report.asOf) }}</div>
    </el-card>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" style="margin:12px 0" />
    <div class="perf-charts" v-if="report">
      <el-card><template #header>{{ t('supervisor.performance.ranking') }}</template>
        <div v-if="!rated.length" class="empty-explained">{{ t('supervisor.performance.empty') }}</div>
        <e-chart v-else data-test="ranking-chart" :option="rankingOption" :height="rankingHeight" :label="t('supervisor.performance.ranking')" @pick="pickBar" />
      </el-card>
      <el-card><template #header>{{ t('supervisor.performance.trend') }}（{{ unit ? (rows.find((r) => r.unitId === unit)?.unitName || unit) : t('supervisor.performance.trendAll') }}）</template>
        <e-chart data-test="trend-chart" :option="trendOption" height="320px" :label="t('supervisor.performance.trend')" />
      </el-card>
    </div>
    <unit-breakdown v-if="unit" :month="month" :unit="unit" style="margin-top:12px" />
    <el-card style="margin-top:12px" v-if="report">
      <template #header>{{ t('supervisor.performance.table') }} <span class="dash-note">{{ t('supervisor.performance.notParticipatingNote') }} {{ t('supervisor.performance.pickUnit') }}</span></template>
      <el-table :data="rows" v-loading="loading" row-key="unitId" data-test="perf-table" :row-class-name="({ row }) => row.participating ? '' : 'not-rated'" style="width:100%" :default-sort="{}">
        <el-table-column :label="t('supervisor.performance.rank')" width="70" sortable :sort-method="sortBy((r) => r.rank)">
          <template #default="{ row }"><span data-test="cell-rank">{{ row.rank ?? '—' }}</span></template></el-table-column>
        <el-table-column :label="t('supervisor.performance.unitName')" min-width="180" sortable :sort-method="sortBy((r) => r.unitName)">
          <template #default="{ row }"><el-link type="primary" @click="pickUnit(row.unitId)" data-test="cell-unit" :data-unit="row.unitId">{{ row.unitName || row.unitId }}</el-link></template></el-table-column>
        <el-table-column :label="t('supervisor.performance.status')" width="100">
          <template #default="{ row }"><el-tag v-if="row.participating" size="small" type="success" data-test="cell-status">{{ t('supervisor.performance.participating') }}</el-tag>
            <el-tag v-else size="small" type="info" data-test="cell-status">{{ t('supervisor.performance.notParticipating') }}</el-tag></template></el-table-column>
        <el-table-column :label="t('supervisor.performance.volume')" width="100" sortable :sort-method="sortBy((r) => r.volume)">
          <template #default="{ row }"><span data-test="cell-volume">{{ row.volume }}</span></template></el-table-column>
        <el-table-column v-for="k in rateKeys" :key="k" :label="zh.supervisor.rates[k]" width="110" sortable :sort-method="sortBy((r) => r.rates[k])">
          <template #default="{ row }"><span :data-test="'cell-rate-' + k">{{ formatRate(row.rates[k]) }}</span></template></el-table-column>
        <el-table-column v-for="id in itemIds" :key="'i-' + id" :label="itemLabel(id)" width="110" sortable :sort-method="sortBy((r) => r.breakdown[id])">
          <template #default="{ row }"><span :data-test="'cell-item-' + id">{{ formatPoints(row.breakdown[id]) }}</span></template></el-table-column>
        <el-table-column :label="t('supervisor.performance.score')" width="100" sortable :sort-method="sortBy((r) => (r.participating ? r.score : null))">
          <template #default="{ row }"><strong data-test="cell-score">{{ row.participating ? formatPoints(row.score) : '—' }}</strong></template></el-table-column>
      </el-table>
    </el-card>
  </div>`,
};
