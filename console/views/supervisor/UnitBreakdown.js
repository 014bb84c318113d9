/**
 * One unit's month split into the scheme's items (GET /reports/monthly/breakdown): a stacked bar
 * of points kept and lost per item, and per item the lines that cost points, each with a link to
 * the work order behind it.
 */
import { computed, ref, watch } from 'vue';
import { breakdown } from '../../api/reports.js';
import EChart from '../../components/EChart.js';
import { t, zh } from '../../i18n.js';
import { formatPoints, formatRate } from './numbers.js';

export default {
  name: 'UnitBreakdown',
  components: { EChart },
  props: { month: String, unit: String },
  setup(props) {
    const data = ref(null);
    const error = ref('');
    const load = async () => {
      error.value = '';
      try {
        data.value = await breakdown(props.month, props.unit);
      } catch (e) {
        error.value = e.message;
        data.value = null;
      }
    };
    watch(() => [props.month, props.unit], () => void load(), { immediate: true });
    const itemLabel = (id) => zh.supervisor.items[id] || id;
    const lost = (item) => (item.maxPoints === null ? 0 : Math.max(0, Math.round((item.maxPoints - item.points) * 10000) / 10000));
    const option = computed(() => {
      const items = data.value?.items ?? [];
      return {
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0, data: [t('supervisor.performance.got'), t('supervisor.performance.lost')] },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', inverse: true, data: items.map((i) => itemLabel(i.id)) },
        series: [
          { type: 'bar', stack: 'p', name: t('supervisor.performance.got'), data: items.map((i) => i.points), itemStyle: { color: '#2f7d32' } },
          { type: 'bar', stack: 'p', name: t('supervisor.performance.lost'), data: items.map((i) => lost(i)), itemStyle: { color: '#c62828' } },
        ],
      };
    });
    const lineText = (l) => {
      const rate = l.rate ? zh.supervisor.rates[l.rate] : '';
      if (l.kind === 'target') return t('supervisor.performance.targetLine', { rate, actual: formatRate(l.actual), target: formatRate(l.target) });
      if (l.kind === 'rate') return t('supervisor.performance.rateLine', { rate });
      return (zh.supervisor.events[l.event] || l.event) + (l.count ? t('supervisor.performance.countTimes', { n: l.count }) : '');
    };
    return { data, error, option, itemLabel, lost, lineText, formatPoints, t };
  },
  template: `<el-card data-test="unit-breakdown">
    <template #header>{{ t('supervisor.performance.breakdown') }}：{{ data ? data.unitName : unit }}
      <span v-if="data && data.participating">（{{ t('supervisor.performance.rank') }} {{ data.rank }}，{{ t('supervisor.performance.score') }} {{ formatPoints(data.score.score) }}）</span></template>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" />
    <div v-else-if="data && !data.participating" class="empty-explained" data-test="breakdown-not-rated">{{ t('supervisor.performance.noWork') }}</div>
    <div v-else-if="data" class="perf-charts" style="margin-top:0">
      <e-chart data-test="breakdown-chart" :option="option" :height="Math.max(160, data.items.length * 36 + 50) + 'px'" :label="t('supervisor.performance.breakdown')" />
      <div>
        <table class="dash-table" data-test="breakdown-items">
          <thead><tr><th>{{ t('supervisor.performance.item') }}</th><td>{{ t('supervisor.performance.maxPoints') }}</td><td>{{ t('supervisor.performance.got') }}</td><td>{{ t('supervisor.performance.lost') }}</td></tr></thead>
          <tbody v-for="item in data.items" :key="item.id">
            <tr :data-item="item.id"><th scope="row"><strong>{{ itemLabel(item.id) }}</strong></th><td>{{ formatPoints(item.maxPoints) }}</td><td data-test="item-points">{{ formatPoints(item.points) }}</td><td>{{ formatPoints(lost(item)) }}</td></tr>
            <tr v-for="(l, i) in item.lines" :key="item.id + i" class="breakdown-line">
              <th scope="row" style="padding-left:16px">
                <router-link v-if="l.workOrderId" :to="'/tickets/' + l.workOrderId" data-test="deduction-link" :data-work-order="l.workOrderId">{{ l.workOrderId }}</router-link>
                {{ lineText(l) }}</th>
              <td></td><td></td><td>{{ l.points === null ? t('supervisor.performance.stepNote') : '−' + formatPoints(l.points) }}</td>
            </tr>
            <tr v-if="!item.lines.length"><th scope="row" style="padding-left:16px;color:#909399">{{ t('supervisor.performance.noLines') }}</th><td></td><td></td><td></td></tr>
          </tbody>
        </table>
      </div>
    </div>
  </el-card>`,
};
