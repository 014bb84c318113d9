/**
 * 工作日历: the coverage warning, a year view (every day off 休, make-up workday 班, hotline
 * exception 例 and provisional day 暂 marked in words, not by colour alone), the year import
 * (paste the State Council notice, preview, confirm), the hotline's exceptions and office hours.
 */
import { computed, reactive, ref } from 'vue';
import { ElMessage, ElMessageBox } from 'element-plus';
import {
  calendarSettings, calendarStatus, calendarYear, deleteException, importYear, previewYear, putException, saveOfficeHours,
} from '../../api/admin.js';
import { formatTime } from '../../format.js';
import { t, zh } from '../../i18n.js';
import { serverNow } from '../../session.js';
import { fieldIssues } from './issues.js';

const chinaYear = (ms) => new Date(ms + 8 * 3600_000).getUTCFullYear();
const pad = (n) => String(n).padStart(2, '0');
const hhmm = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** The weeks of a month, Monday first: arrays of 7 `YYYY-MM-DD` or null. */
function monthWeeks(year, month) {
  const first = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const cells = [...Array(first).fill(null), ...Array.from({ length: days }, (_, i) => `${year}-${pad(month)}-${pad(i + 1)}`)];
  while (cells.length % 7) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
}

export default {
  name: 'AdminCalendar',
  setup() {
    const year = ref(chinaYear(serverNow()));
    const view = ref(null);
    const status = ref(null);
    const error = ref('');
    const loading = ref(false);
    const settings = ref(null);
    const imp = reactive({ year: year.value + 1, text: '', replace: false, preview: null, busy: false, error: '', result: null });
    const ex = reactive({ date: '', kind: 'holiday', note: '', error: '', busy: false });
    const hours = reactive({ periods: [], isDefault: true, error: '', busy: false });

    const loadYear = async () => {
      loading.value = true;
      error.value = '';
      try {
        view.value = await calendarYear(year.value);
      } catch (e) {
        error.value = t('admin.common.loadFailed', { message: e.message });
      } finally {
        loading.value = false;
      }
    };
    const loadStatus = async () => {
      try {
        status.value = await calendarStatus();
        // Offer the first year without an official schedule for import.
        const next = status.value.years.find((y) => y.source === 'provisional');
        if (next && !imp.text) imp.year = next.year;
      } catch (e) {
        error.value = t('admin.common.loadFailed', { message: e.message });
      }
    };
    const loadSettings = async () => {
      settings.value = await calendarSettings();
      hours.isDefault = settings.value.officeHours === null;
      hours.periods = (settings.value.officeHours || settings.value.effective?.officeHours || [{ start: '08:30', end: '12:00' }, { start: '14:00', end: '17:30' }]).map((p) => ({ ...p }));
    };
    void loadYear();
    void loadStatus();
    void loadSettings().catch((e) => (error.value = t('admin.common.loadFailed', { message: e.message })));

    const byDate = computed(() => new Map((view.value?.days || []).map((d) => [d.date, d])));
    const months = computed(() => Array.from({ length: 12 }, (_, i) => ({ month: i + 1, weeks: monthWeeks(year.value, i + 1) })));
    const summary = computed(() => {
      const days = view.value?.days || [];
      return t('admin.calendar.daysSummary', {
        holidays: days.filter((d) => d.kind === 'holiday').length,
        workdays: days.filter((d) => d.kind === 'workday').length,
        exceptions: days.filter((d) => d.origin === 'exception').length,
      });
    });
    /** What a day is (`holiday` / `workday`, then `exception`, `provisional`); shown as 休 / 班, 例, 暂. */
    const markKeys = (date) => {
      const d = byDate.value.get(date);
      if (!d) return [];
      return [d.kind, ...(d.origin === 'exception' ? ['exception'] : []), ...(d.provisional ? ['provisional'] : [])];
    };
    const marks = (date) => markKeys(date).map((k) => zh.admin.calendar.marks[k]);
    const cellClass = (date) => {
      if (!date) return '';
      const d = byDate.value.get(date);
      const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
      return [d ? d.kind : '', d?.origin === 'exception' ? 'exception' : '', d?.provisional ? 'provisional' : '', wd === 0 || wd === 6 ? 'weekend' : ''].join(' ');
    };
    const cellTitle = (date) => {
      const d = byDate.value.get(date);
      if (!d) return t('admin.calendar.dayTitle', { date, what: t('admin.calendar.ordinary') });
      const what = [
        ...markKeys(date).map((k) => zh.admin.calendar.markNames[k]),
        d.name, d.note, d.origin !== 'exception' ? zh.admin.calendar.sources[d.origin] : '',
      ].filter(Boolean).join(zh.admin.punct.clause);
      return t('admin.calendar.dayTitle', { date, what });
    };
    const go = (delta) => {
      year.value += delta;
      void loadYear();
    };

    // ---- import ----
    const preview = async () => {
      imp.error = '';
      imp.preview = null;
      imp.result = null;
      if (!imp.text.trim()) return void (imp.error = t('admin.calendar.import.textRequired'));
      imp.busy = true;
      try {
        imp.preview = await previewYear(imp.year, imp.text);
        imp.replace = false;
      } catch (e) {
        imp.error = fieldIssues(e).text ? `${e.message} ${(e.issues || []).map((i) => i.message).join(zh.admin.punct.semi)}` : e.message;
      } finally {
        imp.busy = false;
      }
    };
    const confirmImport = async () => {
      imp.error = '';
      imp.busy = true;
      try {
        const result = await importYear(imp.year, imp.text, imp.replace);
        imp.result = result;
        const moved = result.workOrders?.updated?.length ?? 0;
        ElMessage.success(t('admin.calendar.import.imported', { year: result.year, version: result.version, n: moved }));
        imp.preview = null;
        year.value = result.year;
        await Promise.all([loadYear(), loadStatus()]);
      } catch (e) {
        imp.error = e.message;
      } finally {
        imp.busy = false;
      }
    };
    const changeText = (c) => [
      c.added.length ? t('admin.calendar.import.added', { days: c.added.join(zh.admin.punct.list) }) : '',
      c.removed.length ? t('admin.calendar.import.removed', { days: c.removed.join(zh.admin.punct.list) }) : '',
    ].filter(Boolean).join(zh.admin.punct.semi) || t('admin.calendar.import.none');

    // ---- exceptions ----
    const addException = async () => {
      ex.error = '';
      if (!ex.date) return void (ex.error = t('admin.calendar.exceptions.dateRequired'));
      ex.busy = true;
      try {
        await putException(ex.date, ex.kind, ex.note.trim());
        ElMessage.success(t('admin.calendar.exceptions.saved', { date: ex.date }));
        Object.assign(ex, { date: '', note: '' });
        await Promise.all([loadSettings(), loadYear()]);
      } catch (e) {
        ex.error = Object.values(fieldIssues(e))[0] || e.message;
      } finally {
        ex.busy = false;
      }
    };
    const removeException = async (date) => {
      try {
        await ElMessageBox.confirm(t('admin.calendar.exceptions.removeConfirm', { date }), t('admin.common.confirmTitle'), {
          confirmButtonText: t('admin.calendar.exceptions.remove'), cancelButtonText: t('admin.common.cancel'),
        });
      } catch {
        return;
      }
      try {
        await deleteException(date);
        ElMessage.success(t('admin.calendar.exceptions.removed', { date }));
        await Promise.all([loadSettings(), loadYear()]);
      } catch (e) {
        ElMessage.error(e.message);
      }
    };

    // ---- office hours ----
    const validHours = () =>
      hours.periods.every((p, i) => hhmm.test(p.start) && hhmm.test(p.end) && p.start < p.end && (i === 0 || hours.periods[i - 1].end <= p.start));
    const saveHours = async (useDefault) => {
      hours.error = '';
      if (!useDefault && (!hours.periods.length || !validHours())) return void (hours.error = t('admin.calendar.officeHours.invalid'));
      hours.busy = true;
      try {
        await saveOfficeHours(useDefault ? null : hours.periods.map((p) => ({ start: p.start, end: p.end })));
        ElMessage.success(t('admin.calendar.officeHours.saved'));
        await loadSettings();
      } catch (e) {
        hours.error = Object.values(fieldIssues(e))[0] ? t('admin.calendar.officeHours.invalid') : e.message;
      } finally {
        hours.busy = false;
      }
    };
    const exceptionKinds = Object.entries(zh.admin.calendar.exceptions.kinds).map(([value, label]) => ({ value, label }));
    return {
      t, zh, year, view, status, error, loading, settings, imp, ex, hours, months, summary, marks, cellClass, cellTitle, go, formatTime,
      preview, confirmImport, changeText, addException, removeException, saveHours, exceptionKinds, weekdays: zh.admin.calendar.weekdays,
    };
  },
  template: `<div data-test="admin-calendar">
    <h1 class="page-title">{{ t('admin.calendar.title') }}</h1>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" />
    <el-card v-if="status" style="margin-bottom:12px" data-test="calendar-coverage">
      <template #header>{{ t('admin.calendar.coverage') }}</template>
      <el-alert :title="status.message" :type="status.status === 'ok' ? 'success' : 'warning'" :closable="false" show-icon role="status" data-test="coverage-message" />
      <ul style="margin:8px 0 0;padding-left:20px"><li v-for="y in status.years" :key="y.year">{{ t('admin.calendar.coverageYears', { year: y.year, source: zh.admin.calendar.sources[y.source] }) }}</li></ul>
    </el-card>

    <el-card style="margin-bottom:12px" data-test="year-view">
      <template #header>
        <div class="admin-toolbar" style="margin:0">
          <el-button size="small" @click="go(-1)" :aria-label="t('admin.calendar.prevYear')">‹ {{ t('admin.calendar.prevYear') }}</el-button>
          <strong data-test="year-title">{{ year }}</strong>
          <el-button size="small" @click="go(1)" :aria-label="t('admin.calendar.nextYear')" data-test="next-year">{{ t('admin.calendar.nextYear') }} ›</el-button>
          <span v-if="view" data-test="year-source">{{ t('admin.calendar.sourceOf', { year: view.year, source: zh.admin.calendar.sources[view.source] }) }}</span>
          <span v-if="view && view.import">{{ t('admin.calendar.importedBy', { version: view.import.version, by: view.import.importedBy, at: formatTime(view.import.importedAt) }) }}</span>
          <span v-if="view">{{ summary }}</span>
        </div>
      </template>
      <div class="legend" :aria-label="t('admin.calendar.legend')">
        <span v-for="(text, k) in zh.admin.calendar.legendText" :key="k"><span class="m">{{ zh.admin.calendar.marks[k] }}</span>{{ text }}</span>
      </div>
      <div class="year-grid" v-loading="loading">
        <section v-for="m in months" :key="m.month" class="month" :aria-label="t('admin.calendar.month', { m: m.month })">
          <h3>{{ t('admin.calendar.month', { m: m.month }) }}</h3>
          <table>
            <thead><tr><th v-for="w in weekdays" :key="w" scope="col">{{ w }}</th></tr></thead>
            <tbody><tr v-for="(week, i) in m.weeks" :key="i">
              <td v-for="(date, j) in week" :key="j" :class="cellClass(date)" :title="date ? cellTitle(date) : ''" :aria-label="date ? cellTitle(date) : null" :data-date="date || null">
                <template v-if="date"><span class="d">{{ Number(date.slice(8)) }}</span><span class="m" data-test="day-mark">{{ marks(date).join('') }}</span></template>
              </td>
            </tr></tbody>
          </table>
        </section>
      </div>
    </el-card>

    <el-card style="margin-bottom:12px" data-test="calendar-import">
      <template #header>{{ t('admin.calendar.import.title') }}</template>
      <el-form label-position="top" @submit.prevent="preview">
        <el-form-item :label="t('admin.calendar.import.year')" for="imp-year"><el-input-number id="imp-year" v-model="imp.year" :min="2000" :max="2200" :controls="false" /></el-form-item>
        <el-form-item :label="t('admin.calendar.import.text')" for="imp-text">
          <div class="form-hint" style="width:100%">{{ t('admin.calendar.import.hint', { year: imp.year }) }}</div>
          <el-input id="imp-text" v-model="imp.text" type="textarea" :rows="8" data-test="import-text" /></el-form-item>
        <el-alert v-if="imp.error" :title="imp.error" type="error" :closable="false" role="alert" data-test="import-error" style="margin-bottom:8px" />
        <el-button type="primary" native-type="submit" :loading="imp.busy && !imp.preview" data-test="import-preview">{{ t('admin.calendar.import.preview') }}</el-button>
      </el-form>
      <div v-if="imp.preview" data-test="import-preview-result" style="margin-top:12px">
        <h3>{{ t('admin.calendar.import.previewTitle', { year: imp.preview.year }) }}</h3>
        <p>{{ t('admin.calendar.import.current', { source: zh.admin.calendar.sources[imp.preview.current.source] }) }}</p>
        <el-table :data="imp.preview.items || []" style="width:100%">
          <el-table-column :label="t('admin.calendar.import.line', { n: '' })" width="80"><template #default="{ row }">{{ t('admin.calendar.import.line', { n: row.lineNo }) }}</template></el-table-column>
          <el-table-column :label="t('admin.calendar.import.name')" prop="name" width="140" />
          <el-table-column :label="t('admin.calendar.import.daysOff')" min-width="220"><template #default="{ row }">{{ row.daysOff.join(zh.admin.punct.list) }}</template></el-table-column>
          <el-table-column :label="t('admin.calendar.import.makeUp')" min-width="160"><template #default="{ row }">{{ row.makeUpWorkdays.join(zh.admin.punct.list) || t('admin.common.none') }}</template></el-table-column>
        </el-table>
        <p><strong>{{ t('admin.calendar.import.changes') }}</strong></p>
        <ul><li>{{ t('admin.labelled', { label: t('admin.calendar.import.daysOff'), value: changeText(imp.preview.changes.holidays) }) }}</li>
          <li>{{ t('admin.labelled', { label: t('admin.calendar.import.makeUp'), value: changeText(imp.preview.changes.makeUpWorkdays) }) }}</li></ul>
        <p data-test="import-open-work-orders">{{ t('admin.calendar.import.openWorkOrders', { year: imp.preview.year, n: imp.preview.openWorkOrdersDepending }) }}</p>
        <p v-if="imp.preview.replaceRequired"><el-checkbox v-model="imp.replace" data-test="import-replace">{{ t('admin.calendar.import.replaceRequired', { year: imp.preview.year }) }}</el-checkbox></p>
        <el-button type="primary" @click="confirmImport" :loading="imp.busy" :disabled="imp.preview.replaceRequired && !imp.replace" data-test="import-confirm">{{ t('admin.calendar.import.confirm') }}</el-button>
      </div>
      <el-alert v-if="imp.result && imp.result.workOrders && imp.result.workOrders.failed.length" type="warning" :closable="false" role="alert"
        :title="t('admin.calendar.import.failed', { n: imp.result.workOrders.failed.length })" style="margin-top:8px" />
    </el-card>

    <div class="intake-grid">
      <el-card data-test="calendar-exceptions">
        <template #header>{{ t('admin.calendar.exceptions.title') }}</template>
        <el-form inline @submit.prevent="addException">
          <el-form-item :label="t('admin.calendar.exceptions.date')"><el-date-picker v-model="ex.date" type="date" value-format="YYYY-MM-DD" :aria-label="t('admin.calendar.exceptions.date')" style="width:150px" /></el-form-item>
          <el-form-item :label="t('admin.calendar.exceptions.kind')"><el-radio-group v-model="ex.kind" :aria-label="t('admin.calendar.exceptions.kind')">
            <el-radio-button v-for="o in exceptionKinds" :key="o.value" :value="o.value">{{ o.label }}</el-radio-button></el-radio-group></el-form-item>
          <el-form-item :label="t('admin.calendar.exceptions.note')" for="ex-note"><el-input id="ex-note" v-model="ex.note" style="width:180px" /></el-form-item>
          <el-form-item><el-button type="primary" native-type="submit" :loading="ex.busy">{{ t('admin.calendar.exceptions.add') }}</el-button></el-form-item>
        </el-form>
        <div v-if="ex.error" class="field-error" role="alert">{{ ex.error }}</div>
        <el-table :data="settings ? settings.exceptions : []" style="width:100%">
          <template #empty><div class="empty-explained">{{ t('admin.calendar.exceptions.empty') }}</div></template>
          <el-table-column :label="t('admin.calendar.exceptions.date')" prop="date" width="120" />
          <el-table-column :label="t('admin.calendar.exceptions.kind')" width="80"><template #default="{ row }">{{ zh.admin.calendar.exceptions.kinds[row.kind] }}</template></el-table-column>
          <el-table-column :label="t('admin.calendar.exceptions.note')" min-width="120"><template #default="{ row }">{{ row.note || t('admin.common.none') }}</template></el-table-column>
          <el-table-column width="80"><template #default="{ row }"><el-button link type="danger" @click="removeException(row.date)">{{ t('admin.calendar.exceptions.remove') }}</el-button></template></el-table-column>
        </el-table>
      </el-card>
      <el-card data-test="office-hours">
        <template #header>{{ t('admin.calendar.officeHours.title') }}</template>
        <p v-if="hours.isDefault" class="form-hint">{{ t('admin.calendar.officeHours.default') }}</p>
        <div v-for="(p, i) in hours.periods" :key="i" style="display:flex;gap:6px;align-items:center;margin-bottom:6px">
          <el-input v-model="p.start" style="width:80px" :aria-label="t('admin.calendar.officeHours.start') + ' ' + (i + 1)" placeholder="08:30" />
          <span>–</span>
          <el-input v-model="p.end" style="width:80px" :aria-label="t('admin.calendar.officeHours.end') + ' ' + (i + 1)" placeholder="12:00" />
          <el-button link type="danger" @click="hours.periods.splice(i, 1)">{{ t('admin.calendar.officeHours.remove') }}</el-button>
        </div>
        <div v-if="hours.error" class="field-error" role="alert">{{ hours.error }}</div>
        <p class="form-hint">{{ t('admin.calendar.officeHours.note') }}</p>
        <el-button @click="hours.periods.push({ start: '', end: '' })" :disabled="hours.periods.length >= 6">{{ t('admin.calendar.officeHours.add') }}</el-button>
        <el-button type="primary" @click="saveHours(false)" :loading="hours.busy">{{ t('admin.calendar.officeHours.save') }}</el-button>
        <el-button @click="saveHours(true)" :disabled="hours.isDefault">{{ t('admin.calendar.officeHours.useDefault') }}</el-button>
      </el-card>
    </div>
  </div>`,
};
