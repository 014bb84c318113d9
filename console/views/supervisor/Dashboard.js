/**
 * 督查总览: for a period (today, this week, this month, a chosen month) the work orders taken in
 * it by stage, and now the overdue ones, those due within 4 hours and the open 督办 by method.
 * Every number is a link to the list behind it (the work list with its filters, or the 督办
 * records); the period stays in the URL.
 */
import { computed, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { dashboard } from '../../api/reports.js';
import { formatTime } from '../../format.js';
import { label, t, zh } from '../../i18n.js';
import { session } from '../../session.js';

export default {
  name: 'SupervisorDashboard',
  setup() {
    const route = useRoute();
    const router = useRouter();
    const data = ref(null);
    const error = ref('');
    const loading = ref(false);
    const period = computed(() => String(route.query.period || 'today'));
    const kind = computed(() => (/^\d{4}-\d{2}$/.test(period.value) ? 'pick' : period.value));
    const month = ref(/^\d{4}-\d{2}$/.test(period.value) ? period.value : '');
    const load = async () => {
      loading.value = true;
      error.value = '';
      try {
        data.value = await dashboard(period.value);
      } catch (e) {
        error.value = e.message;
      } finally {
        loading.value = false;
      }
    };
    const choose = (k) => {
      if (k === 'pick') return;
      void router.push({ path: route.path, query: { period: k } });
    };
    const pickMonth = (m) => m && void router.push({ path: route.path, query: { period: m } });
    watch(() => route.query.period, () => {
      month.value = /^\d{4}-\d{2}$/.test(period.value) ? period.value : '';
      void load();
    }, { immediate: true });
    watch(() => session.version, () => void load());

    const range = () => ({ createdFrom: data.value.from, createdTo: data.value.to });
    const stageLink = (stage) => ({ path: '/list', query: { stage, ...range() } });
    const stages = computed(() => Object.keys(zh.stages).map((s) => ({ stage: s, n: data.value?.byStage[s] ?? 0 })));
    const methods = computed(() => Object.entries(data.value?.openSupervisionsByMethod ?? {}).map(([m, n]) => ({ method: m, n })));
    const methodLabel = (m) => (m === 'unspecified' ? t('supervisor.supervisions.unspecified') : label('superviseMethods', m));
    const periods = ['today', 'week', 'month', 'pick'];
    return { data, error, loading, kind, month, periods, choose, pickMonth, stages, methods, methodLabel, stageLink, range, label, t, formatTime };
  },
  template: `<div data-test="supervisor-dashboard">
    <h1 class="page-title">{{ t('supervisor.dashboard.title') }}</h1>
    <el-card class="filters">
      <el-form inline label-position="top" :aria-label="t('supervisor.dashboard.period')">
        <el-form-item :label="t('supervisor.dashboard.period')">
          <el-radio-group :model-value="kind" @change="choose" :aria-label="t('supervisor.dashboard.period')" data-test="period">
            <el-radio-button v-for="p in periods" :key="p" :value="p">{{ t('supervisor.dashboard.periods.' + p) }}</el-radio-button>
          </el-radio-group>
        </el-form-item>
        <el-form-item :label="t('supervisor.dashboard.pickMonth')">
          <el-date-picker v-model="month" type="month" value-format="YYYY-MM" :placeholder="t('supervisor.dashboard.pickMonth')" @change="pickMonth" style="width:150px" data-test="period-month" />
        </el-form-item>
      </el-form>
      <div v-if="data" data-test="period-range">{{ t('supervisor.dashboard.range', { from: formatTime(data.from), to: formatTime(data.to) }) }}</div>
    </el-card>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" style="margin:12px 0" />
    <div v-if="data" v-loading="loading">
      <div class="dash-figures">
        <el-card class="dash-figure"><div class="dash-label">{{ t('supervisor.dashboard.created') }}</div>
          <router-link class="dash-number" data-test="fig-created" :to="{ path: '/list', query: range() }">{{ data.created }}</router-link></el-card>
        <el-card class="dash-figure dash-late"><div class="dash-label">{{ t('supervisor.dashboard.overdueNow') }}</div>
          <router-link class="dash-number" data-test="fig-overdue" :to="{ path: '/list', query: { overdue: 'true' } }">{{ data.overdueNow }}</router-link></el-card>
        <el-card class="dash-figure dash-soon"><div class="dash-label">{{ t('supervisor.dashboard.dueWithin4h') }}</div>
          <router-link class="dash-number" data-test="fig-due4h" :to="{ path: '/list', query: { dueWithin: '4h' } }">{{ data.dueWithin4h }}</router-link></el-card>
      </div>
      <p class="dash-note">{{ t('supervisor.dashboard.nowNote') }} {{ t('supervisor.dashboard.linkHint') }}</p>
      <div class="dash-columns">
        <el-card>
          <template #header>{{ t('supervisor.dashboard.byStage') }}</template>
          <table class="dash-table" data-test="by-stage">
            <tr v-for="s in stages" :key="s.stage"><th scope="row">{{ label('stages', s.stage) }}</th>
              <td><router-link :to="stageLink(s.stage)" :data-test="'stage-' + s.stage">{{ s.n }}</router-link></td></tr>
          </table>
        </el-card>
        <el-card>
          <template #header>{{ t('supervisor.dashboard.openSupervisions') }}</template>
          <table class="dash-table" data-test="by-method">
            <tr v-for="m in methods" :key="m.method"><th scope="row">{{ methodLabel(m.method) }}</th>
              <td><router-link :to="{ path: '/supervisor/supervisions', query: { status: 'open', method: m.method } }" :data-test="'method-' + m.method">{{ m.n }}</router-link></td></tr>
          </table>
        </el-card>
      </div>
    </div>
  </div>`,
};
