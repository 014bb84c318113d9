/**
 * 单位管理: the unit tree (一级 / 二级 / 企业 under their supervising department), create, edit,
 * deactivate and reactivate; the webhook URL and its key, which is write-only (shown as 已设置).
 */
import { computed, reactive, ref } from 'vue';
import { ElMessage, ElMessageBox } from 'element-plus';
import { createUnit, updateUnit } from '../../api/admin.js';
import { unitTree } from '../../api/units.js';
import { t, zh } from '../../i18n.js';
import { fieldIssues } from './issues.js';

const blank = () => ({ id: '', name: '', kind: 'level1', sector: '', parentId: '', supervisingDepartment: '', webhookUrl: '', webhookSecret: '', clearSecret: false });

export default {
  name: 'AdminUnits',
  setup() {
    const tree = ref([]);
    const flat = ref([]);
    const loading = ref(false);
    const error = ref('');
    const showInactive = ref(false);
    const filter = ref('');
    const dialog = reactive({ open: false, editing: null, busy: false, message: '' });
    const form = reactive(blank());
    const errors = reactive({});

    const load = async () => {
      loading.value = true;
      error.value = '';
      try {
        const data = await unitTree();
        tree.value = data.tree;
        const all = [];
        const walk = (nodes, path) => nodes.forEach((n) => (all.push({ ...n, path }), walk(n.children || [], [...path, n.name])));
        walk(data.tree, []);
        flat.value = all;
      } catch (e) {
        error.value = t('admin.common.loadFailed', { message: e.message });
      } finally {
        loading.value = false;
      }
    };
    void load();

    /** The tree as shown: inactive units hidden unless asked for, a name filter keeps matches and their ancestors. */
    const shown = computed(() => {
      const q = filter.value.trim();
      const keep = (nodes) =>
        nodes
          .filter((n) => showInactive.value || n.active)
          .map((n) => ({ ...n, children: keep(n.children || []) }))
          .filter((n) => !q || n.name.includes(q) || n.id.includes(q) || n.children.length);
      return keep(tree.value);
    });
    const inactiveCount = computed(() => flat.value.filter((u) => !u.active).length);
    const parentOptions = computed(() => flat.value.filter((u) => u.active && u.id !== dialog.editing?.id));

    const clearErrors = () => Object.keys(errors).forEach((k) => delete errors[k]);
    const openCreate = (parent) => {
      Object.assign(form, blank(), parent ? { parentId: parent.id, kind: 'level2', supervisingDepartment: parent.name } : {});
      clearErrors();
      Object.assign(dialog, { open: true, editing: null, message: '' });
    };
    const openEdit = (unit) => {
      Object.assign(form, blank(), {
        id: unit.id, name: unit.name, kind: unit.kind, sector: unit.sector || '', parentId: unit.parentId || '',
        supervisingDepartment: unit.supervisingDepartment || '', webhookUrl: unit.webhookUrl || '',
      });
      clearErrors();
      Object.assign(dialog, { open: true, editing: unit, message: '' });
    };
    const validate = () => {
      clearErrors();
      if (!dialog.editing && !/^[A-Za-z0-9_.:-]+$/.test(form.id)) errors.id = t('admin.users.idInvalid');
      if (!form.name.trim()) errors.name = t('admin.common.required');
      if (form.webhookSecret && form.webhookSecret.length < 16) errors.webhookSecret = t('admin.issues.tooShortText', { n: 16 });
      return !Object.keys(errors).length;
    };
    const save = async () => {
      dialog.message = '';
      if (!validate()) return;
      const body = {
        name: form.name.trim(), kind: form.kind, sector: form.sector || null, parentId: form.parentId || null,
        supervisingDepartment: form.supervisingDepartment.trim() || null, webhookUrl: form.webhookUrl.trim() || null,
        // Write-only: sent only when typed (or cleared on purpose); never read back.
        ...(form.webhookSecret ? { webhookSecret: form.webhookSecret } : form.clearSecret ? { webhookSecret: null } : {}),
      };
      dialog.busy = true;
      try {
        if (dialog.editing) await updateUnit(dialog.editing.id, body);
        else await createUnit({ id: form.id, ...body });
        ElMessage.success(t(dialog.editing ? 'admin.units.updated' : 'admin.units.created', { name: body.name }));
        dialog.open = false;
        await load();
      } catch (e) {
        dialog.message = e.message;
        Object.assign(errors, fieldIssues(e));
      } finally {
        dialog.busy = false;
      }
    };
    const setActive = async (unit, active) => {
      if (!active) {
        try {
          await ElMessageBox.confirm(t('admin.units.deactivateConfirm', { name: unit.name }), t('admin.common.confirmTitle'), {
            type: 'warning', confirmButtonText: t('admin.common.deactivate'), cancelButtonText: t('admin.common.cancel'),
          });
        } catch {
          return;
        }
      }
      try {
        await updateUnit(unit.id, { active });
        ElMessage.success(t(active ? 'admin.units.activated' : 'admin.units.deactivated', { name: unit.name }));
        await load();
      } catch (e) {
        ElMessage.error(e.message);
      }
    };
    const kinds = Object.entries(zh.admin.units.kinds).map(([value, label]) => ({ value, label }));
    const sectors = Object.entries(zh.admin.units.sectors).map(([value, label]) => ({ value, label }));
    return { t, zh, tree, shown, flat, loading, error, showInactive, filter, inactiveCount, dialog, form, errors, parentOptions, kinds, sectors, openCreate, openEdit, save, setActive };
  },
  template: `<div data-test="admin-units">
    <h1 class="page-title">{{ t('admin.units.title') }}</h1>
    <div class="admin-toolbar">
      <el-button type="primary" @click="openCreate()" data-test="unit-create">{{ t('admin.units.create') }}</el-button>
      <el-input v-model="filter" :placeholder="t('admin.units.search')" :aria-label="t('admin.units.search')" clearable style="width:200px" />
      <el-checkbox v-model="showInactive" data-test="show-inactive">{{ t('admin.units.showInactive') }}</el-checkbox>
      <span data-test="unit-count">{{ t('admin.units.count', { n: flat.length, inactive: inactiveCount }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" />
    <el-table :data="shown" row-key="id" v-loading="loading" default-expand-all style="width:100%" data-test="unit-tree" :tree-props="{ children: 'children' }">
      <el-table-column :label="t('admin.units.name')" min-width="240"><template #default="{ row }">
        <span :class="{ 'inactive-text': !row.active }">{{ row.name }}</span></template></el-table-column>
      <el-table-column :label="t('admin.units.id')" prop="id" width="110" />
      <el-table-column :label="t('admin.units.kind')" width="100"><template #default="{ row }">{{ zh.admin.units.kinds[row.kind] }}</template></el-table-column>
      <el-table-column :label="t('admin.units.sector')" width="120"><template #default="{ row }">{{ row.sector ? zh.admin.units.sectors[row.sector] : t('admin.common.none') }}</template></el-table-column>
      <el-table-column :label="t('admin.units.supervisingDepartment')" min-width="140"><template #default="{ row }">{{ row.supervisingDepartment || t('admin.common.none') }}</template></el-table-column>
      <el-table-column :label="t('admin.units.webhook')" min-width="200"><template #default="{ row }">
        <div v-if="row.webhookUrl" style="word-break:break-all">{{ row.webhookUrl }}</div><div v-else>{{ t('admin.common.none') }}</div>
        <div>{{ t('admin.units.secretLabel') }}<span data-test="secret-state">{{ row.hasWebhookSecret ? t('admin.units.secretSet') : t('admin.units.secretNotSet') }}</span></div></template></el-table-column>
      <el-table-column :label="t('admin.common.status')" width="90"><template #default="{ row }">
        <el-tag :type="row.active ? 'success' : 'info'" size="small">{{ row.active ? t('admin.common.active') : t('admin.common.inactive') }}</el-tag></template></el-table-column>
      <el-table-column :label="t('admin.common.actions')" width="200"><template #default="{ row }">
        <el-button link type="primary" @click="openEdit(row)" :data-test="'edit-' + row.id">{{ t('admin.common.edit') }}</el-button>
        <el-button v-if="row.active" link type="primary" @click="openCreate(row)">{{ t('admin.common.create') }}</el-button>
        <el-button v-if="row.active" link type="danger" @click="setActive(row, false)" :data-test="'deactivate-' + row.id">{{ t('admin.common.deactivate') }}</el-button>
        <el-button v-else link type="success" @click="setActive(row, true)" :data-test="'activate-' + row.id">{{ t('admin.common.activate') }}</el-button>
      </template></el-table-column>
    </el-table>

    <el-dialog v-model="dialog.open" :title="dialog.editing ? t('admin.units.editTitle', { name: dialog.editing.name }) : t('admin.units.createTitle')" width="560px" data-test="unit-dialog">
      <el-form label-position="top" @submit.prevent="save">
        <el-form-item :label="t('admin.units.id')" :error="errors.id" for="u-id">
          <el-input id="u-id" v-model="form.id" :disabled="!!dialog.editing" :placeholder="t('admin.units.idHint')" /></el-form-item>
        <el-form-item :label="t('admin.units.name')" :error="errors.name" for="u-name"><el-input id="u-name" v-model="form.name" /></el-form-item>
        <el-form-item :label="t('admin.units.kind')" :error="errors.kind" for="u-kind">
          <el-select id="u-kind" v-model="form.kind" :aria-label="t('admin.units.kind')"><el-option v-for="o in kinds" :key="o.value" :value="o.value" :label="o.label" /></el-select></el-form-item>
        <el-form-item :label="t('admin.units.sector')" :error="errors.sector" for="u-sector">
          <el-select id="u-sector" v-model="form.sector" clearable :placeholder="t('admin.units.noSector')" :aria-label="t('admin.units.sector')">
            <el-option v-for="o in sectors" :key="o.value" :value="o.value" :label="o.label" /></el-select></el-form-item>
        <el-form-item :label="t('admin.units.parent')" :error="errors.parentId" for="u-parent">
          <el-select id="u-parent" v-model="form.parentId" filterable clearable :placeholder="t('admin.units.parentNone')" :aria-label="t('admin.units.parent')" style="width:100%">
            <el-option v-for="u in parentOptions" :key="u.id" :value="u.id" :label="u.name">{{ [...u.path, u.name].join(' / ') }}</el-option></el-select></el-form-item>
        <el-form-item :label="t('admin.units.supervisingDepartment')" :error="errors.supervisingDepartment" for="u-sd"><el-input id="u-sd" v-model="form.supervisingDepartment" /></el-form-item>
        <el-form-item :label="t('admin.units.webhookUrl')" :error="errors.webhookUrl" for="u-webhook"><el-input id="u-webhook" v-model="form.webhookUrl" placeholder="https://" /></el-form-item>
        <el-form-item :label="t('admin.noted', { text: t('admin.units.webhookSecret'), note: dialog.editing && dialog.editing.hasWebhookSecret ? t('admin.units.secretSet') : t('admin.units.secretNotSet') })" :error="errors.webhookSecret" for="u-secret">
          <el-input id="u-secret" v-model="form.webhookSecret" type="password" show-password autocomplete="new-password" :disabled="form.clearSecret" />
          <div class="form-hint">{{ t('admin.units.secretHint') }}</div>
          <el-checkbox v-if="dialog.editing && dialog.editing.hasWebhookSecret" v-model="form.clearSecret">{{ t('admin.units.secretClear') }}</el-checkbox>
        </el-form-item>
        <el-alert v-if="dialog.message" :title="dialog.message" type="error" :closable="false" role="alert" data-test="unit-error" />
      </el-form>
      <template #footer>
        <el-button @click="dialog.open = false">{{ t('admin.common.cancel') }}</el-button>
        <el-button type="primary" :loading="dialog.busy" @click="save" data-test="unit-save">{{ t('admin.common.save') }}</el-button>
      </template>
    </el-dialog>
  </div>`,
};
