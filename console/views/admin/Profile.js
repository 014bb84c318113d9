/**
 * 时限规则: the shipped SLA profiles side by side, the hotline's active profile with its
 * overrides, and changing one override (validated by the API, the reason in Chinese beside the
 * field). A change applies to work orders created after it only: each work order keeps the copy
 * of the rules it was created with, and the screen says how many open ones keep theirs.
 */
import { computed, reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { activeProfile, saveProfile, shippedProfiles } from '../../api/admin.js';
import { formatTime } from '../../format.js';
import { label, t, zh } from '../../i18n.js';
import { issueText } from './issues.js';

const isDuration = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && 'amount' in v && 'unit' in v;
const isBranch = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !isDuration(v);

/** Leaf paths of a profile: `[['sign.normal', {amount, unit}], ...]` (durations are leaves). */
function leaves(profile, prefix = '', out = []) {
  for (const [k, v] of Object.entries(profile)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isBranch(v) && !path.startsWith('scoring.items')) leaves(v, path, out);
    else out.push([path, v]);
  }
  return out;
}
const get = (o, path) => path.split('.').reduce((x, k) => (x == null ? undefined : x[k]), o);
function setPath(o, path, value) {
  const keys = path.split('.');
  let x = o;
  for (const k of keys.slice(0, -1)) x = x[k] = isBranch(x[k]) ? x[k] : {};
  x[keys.at(-1)] = value;
  return o;
}
function unsetPath(o, path) {
  const keys = path.split('.');
  const walk = (x, i) => {
    if (!isBranch(x)) return;
    if (i === keys.length - 1) delete x[keys[i]];
    else {
      walk(x[keys[i]], i + 1);
      if (isBranch(x[keys[i]]) && !Object.keys(x[keys[i]]).length) delete x[keys[i]];
    }
  };
  walk(o, 0);
  return o;
}
/** A plain copy of a reactive object (structuredClone refuses Vue's proxies). */
const plain = (o) => JSON.parse(JSON.stringify(o || {}));
/** Fields that take one of a few words (domain/profile.ts), with the words they take. */
const choices = {
  'return.normal.from': ['receipt', 'signing'], 'return.urgent.from': ['receipt', 'signing'], 'firstContact.window.from': ['receipt', 'signing'],
  'return.late': ['refused', 'allowedWithPenalty'],
};
const editable = (v, path) => isDuration(v) || typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && choices[path] !== undefined);
const skip = (path) => /^(id|name|sources)$/.test(path) || path.startsWith('scoring.');

/** The Chinese name of a profile field. */
function fieldName(path) {
  const f = zh.admin.profile.fields;
  if (f[path]) return f[path];
  const cat = /^completion\.(byCategory|urgentByCategory)\.(\w+)$/.exec(path);
  if (cat) return f[`completion.${cat[1]}`].replace('{category}', label('categories', cat[2]));
  if (path.startsWith('scoring.')) return f.scoring.replace('{key}', path.slice(8));
  return path;
}

/** A value as people read it: 3 个工作日, 是/否, 催办、督办 … */
function show(v) {
  if (v === null || v === undefined) return t('admin.profile.nullValue');
  if (isDuration(v)) return `${v.amount} ${zh.admin.profile.units[v.unit] || v.unit}`;
  if (typeof v === 'boolean') return v ? t('admin.common.yes') : t('admin.common.no');
  if (Array.isArray(v)) {
    if (!v.length) return t('admin.profile.nullValue');
    if (v.every((x) => isDuration(x) || typeof x !== 'object')) return v.map(show).join(zh.admin.punct.list);
    return t('admin.profile.items', { n: v.length });
  }
  if (typeof v === 'string') return zh.admin.profile.values[v] || v;
  return String(v);
}

export default {
  name: 'AdminProfile',
  setup() {
    const shipped = ref([]);
    const active = ref(null);
    const error = ref('');
    const baseChoice = ref('');
    const edit = reactive({ open: false, path: '', kind: '', amount: 0, unit: 'workingDays', number: 0, bool: false, choice: '', error: '', busy: false, message: '' });
    const saved = ref('');

    const load = async () => {
      error.value = '';
      try {
        const [list, current] = await Promise.all([shippedProfiles(), activeProfile()]);
        shipped.value = list.items;
        active.value = current;
        baseChoice.value = current.profileId;
      } catch (e) {
        error.value = t('admin.common.loadFailed', { message: e.message });
      }
    };
    void load();

    const base = computed(() => shipped.value.find((p) => p.id === active.value?.profileId));
    /** Every field of any shipped profile, in the order of the first profile that has it. */
    const comparison = computed(() => {
      const paths = [];
      const seen = new Set();
      for (const p of shipped.value) for (const [path] of leaves(p)) if (!seen.has(path)) (seen.add(path), paths.push(path));
      return paths.map((path) => {
        const values = shipped.value.map((p) => show(get(p, path)));
        return { path, name: fieldName(path), values, differs: new Set(values).size > 1 };
      });
    });
    const rows = computed(() => {
      if (!active.value) return [];
      return leaves(active.value.resolved)
        .filter(([path, v]) => !skip(path) && editable(v, path))
        .map(([path, v]) => ({
          path, name: fieldName(path), value: show(v), raw: v, baseValue: show(get(base.value || {}, path)),
          overridden: get(active.value.overrides, path) !== undefined,
        }));
    });
    const overrideCount = computed(() => rows.value.filter((r) => r.overridden).length);

    const put = async (profileId, overrides) => {
      const result = await saveProfile(profileId, overrides);
      saved.value = t('admin.profile.saved', { from: formatTime(result.appliesTo.newWorkOrdersFrom), n: result.appliesTo.openWorkOrdersKeepTheirs });
      ElMessage.success(saved.value);
      await load();
    };
    const openEdit = (row) => {
      const v = row.raw;
      Object.assign(edit, {
        open: true, path: row.path, error: '', message: '', busy: false,
        kind: isDuration(v) ? 'duration' : typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'choice' : 'number', choice: typeof v === 'string' ? v : '',
        amount: isDuration(v) ? v.amount : 0, unit: isDuration(v) ? v.unit : 'workingDays', number: typeof v === 'number' ? v : 0, bool: v === true,
      });
    };
    const saveEdit = async () => {
      edit.error = '';
      edit.message = '';
      const value = edit.kind === 'duration' ? { amount: edit.amount, unit: edit.unit } : edit.kind === 'bool' ? edit.bool : edit.kind === 'choice' ? edit.choice : edit.number;
      if ((edit.kind === 'duration' || edit.kind === 'number') && (edit.kind === 'duration' ? edit.amount : edit.number) === null) return void (edit.error = t('admin.issues.required'));
      const overrides = setPath(plain(active.value.overrides), edit.path, value);
      edit.busy = true;
      try {
        await put(active.value.profileId, overrides);
        edit.open = false;
      } catch (e) {
        const prefix = `body.overrides.${edit.path}`;
        const mine = (e.issues || []).find((i) => i.path === prefix || i.path.startsWith(`${prefix}.`));
        if (mine) edit.error = issueText(mine);
        else edit.message = e.message;
      } finally {
        edit.busy = false;
      }
    };
    const removeOverride = async (row) => {
      try {
        await put(active.value.profileId, unsetPath(plain(active.value.overrides), row.path));
      } catch (e) {
        ElMessage.error(e.message);
      }
    };
    const changeBase = async () => {
      try {
        await put(baseChoice.value, active.value.overrides || {});
      } catch (e) {
        ElMessage.error(e.message);
      }
    };
    const unitOptions = Object.entries(zh.admin.profile.units).map(([value, label]) => ({ value, label }));
    const choiceOptions = computed(() => (choices[edit.path] || []).map((value) => ({ value, label: show(value) })));
    return {
      choiceOptions, t, shipped, active, error, base, comparison, rows, overrideCount, edit, saved, baseChoice, unitOptions, formatTime, fieldName,
      openEdit, saveEdit, removeOverride, changeBase,
    };
  },
  template: `<div data-test="admin-profile">
    <h1 class="page-title">{{ t('admin.profile.title') }}</h1>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" />
    <el-card v-if="active" style="margin-bottom:12px" data-test="active-profile">
      <template #header>{{ t('admin.labelled', { label: t('admin.profile.active'), value: base ? base.name : active.profileId }) }}</template>
      <el-alert type="info" :closable="false" show-icon role="note" data-test="applies-to" style="margin-bottom:8px"
        :title="t('admin.profile.appliesNew')" :description="t('admin.profile.appliesOpen', { n: active.appliesTo.openWorkOrdersKeepTheirs })" />
      <p v-if="saved" role="status" data-test="profile-saved">{{ saved }}</p>
      <div class="admin-toolbar">
        <span>{{ overrideCount ? t('admin.profile.overridesCount', { n: overrideCount }) : t('admin.profile.noOverrides') }}</span>
        <span v-if="active.updatedBy">{{ t('admin.profile.updated', { by: active.updatedBy, at: formatTime(active.updatedAt) }) }}</span>
        <el-select v-model="baseChoice" :aria-label="t('admin.profile.changeBase')" style="width:260px">
          <el-option v-for="p in shipped" :key="p.id" :value="p.id" :label="p.name" /></el-select>
        <el-button @click="changeBase" :disabled="baseChoice === active.profileId">{{ t('admin.profile.changeBase') }}</el-button>
        <span class="form-hint">{{ t('admin.profile.changeBaseNote') }}</span>
      </div>
      <el-table :data="rows" row-key="path" style="width:100%" data-test="profile-fields">
        <el-table-column :label="t('admin.profile.field')" min-width="220"><template #default="{ row }">{{ row.name }}</template></el-table-column>
        <el-table-column :label="t('admin.profile.baseValue')" width="170"><template #default="{ row }">{{ row.baseValue }}</template></el-table-column>
        <el-table-column :label="t('admin.profile.value')" width="220"><template #default="{ row }">
          <span :data-test="'value-' + row.path">{{ row.value }}</span>
          <el-tag v-if="row.overridden" size="small" type="warning" style="margin-left:6px">{{ t('admin.profile.overridden') }}</el-tag></template></el-table-column>
        <el-table-column :label="t('admin.common.actions')" width="200"><template #default="{ row }">
          <el-button link type="primary" @click="openEdit(row)" :data-test="'override-' + row.path">{{ t('admin.profile.override') }}</el-button>
          <el-button v-if="row.overridden" link @click="removeOverride(row)" :data-test="'unset-' + row.path">{{ t('admin.profile.removeOverride') }}</el-button></template></el-table-column>
      </el-table>
    </el-card>

    <el-card data-test="shipped-profiles">
      <template #header>{{ t('admin.profile.shipped') }}</template>
      <el-table :data="comparison" row-key="path" style="width:100%" class="profile-table" max-height="640">
        <el-table-column :label="t('admin.profile.field')" min-width="200" fixed><template #default="{ row }">
          {{ row.name }}<el-tag v-if="row.differs" size="small" type="info" style="margin-left:4px">{{ t('admin.profile.differs') }}</el-tag></template></el-table-column>
        <el-table-column v-for="(p, i) in shipped" :key="p.id" min-width="150">
          <template #header><span>{{ p.name }}</span><strong v-if="active && p.id === active.profileId">{{ t('admin.profile.activeMark') }}</strong></template>
          <template #default="{ row }">{{ row.values[i] }}</template>
        </el-table-column>
      </el-table>
    </el-card>

    <el-dialog v-model="edit.open" :title="t('admin.profile.editTitle', { field: fieldName(edit.path) })" width="460px" data-test="override-dialog">
      <el-form label-position="top" @submit.prevent="saveEdit">
        <template v-if="edit.kind === 'duration'">
          <el-form-item :label="t('admin.profile.amount')" :error="edit.error" for="ov-amount">
            <el-input-number id="ov-amount" v-model="edit.amount" :controls="false" data-test="override-amount" /></el-form-item>
          <el-form-item :label="t('admin.profile.unit')" for="ov-unit"><el-select id="ov-unit" v-model="edit.unit" :aria-label="t('admin.profile.unit')">
            <el-option v-for="o in unitOptions" :key="o.value" :value="o.value" :label="o.label" /></el-select></el-form-item>
        </template>
        <el-form-item v-else-if="edit.kind === 'number'" :label="t('admin.profile.amount')" :error="edit.error" for="ov-number">
          <el-input-number id="ov-number" v-model="edit.number" :controls="false" data-test="override-number" /></el-form-item>
        <el-form-item v-else-if="edit.kind === 'choice'" :label="fieldName(edit.path)" :error="edit.error">
          <el-radio-group v-model="edit.choice" :aria-label="fieldName(edit.path)"><el-radio-button v-for="o in choiceOptions" :key="o.value" :value="o.value">{{ o.label }}</el-radio-button></el-radio-group></el-form-item>
        <el-form-item v-else :label="fieldName(edit.path)" :error="edit.error"><el-switch v-model="edit.bool" :active-text="t('admin.common.yes')" :inactive-text="t('admin.common.no')" /></el-form-item>
        <p class="form-hint">{{ t('admin.profile.appliesNew') }}</p>
        <el-alert v-if="edit.message" :title="edit.message" type="error" :closable="false" role="alert" />
      </el-form>
      <template #footer>
        <el-button @click="edit.open = false">{{ t('admin.common.cancel') }}</el-button>
        <el-button type="primary" :loading="edit.busy" @click="saveEdit" data-test="override-save">{{ t('admin.common.save') }}</el-button>
      </template>
    </el-dialog>
  </div>`,
};
