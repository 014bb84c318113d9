/**
 * 用户管理: create users (with a first console password), change name, role and unit,
 * deactivate, reset passwords, issue and revoke API tokens. A token is shown once, in a dialog,
 * and forgotten when it closes: the service keeps only its SHA-256.
 */
import { computed, reactive, ref } from 'vue';
import { ElMessage, ElMessageBox } from 'element-plus';
import { createUser, issueToken, listTokens, listUsers, revokeToken, setPassword, updateUser } from '../../api/admin.js';
import { unitNames } from '../../api/units.js';
import UnitPicker from '../../components/UnitPicker.js';
import { formatTime } from '../../format.js';
import { t, zh } from '../../i18n.js';
import { session } from '../../session.js';
import { fieldIssues } from './issues.js';

const blank = () => ({ id: '', name: '', role: 'center', unitId: '', password: '' });

export default {
  name: 'AdminUsers',
  components: { UnitPicker },
  setup() {
    const users = ref([]);
    const text = ref('');
    const units = ref({});
    const role = ref('');
    const loading = ref(false);
    const error = ref('');
    const form = reactive(blank());
    const errors = reactive({});
    const dialog = reactive({ open: false, editing: null, busy: false, message: '' });
    const pw = reactive({ open: false, user: null, value: '', error: '', busy: false });
    const tokens = reactive({ open: false, user: null, items: [], label: '', busy: false, error: '' });
    // The one moment a token exists in the console: shown, then dropped.
    const shownToken = reactive({ open: false, token: '', userId: '' });

    const load = async () => {
      loading.value = true;
      error.value = '';
      try {
        users.value = (await listUsers(role.value ? { role: role.value } : {})).items;
      } catch (e) {
        error.value = t('admin.common.loadFailed', { message: e.message });
      } finally {
        loading.value = false;
      }
    };
    void load();
    void unitNames().then((m) => (units.value = m));

    const clearErrors = () => Object.keys(errors).forEach((k) => delete errors[k]);
    const openCreate = () => {
      Object.assign(form, blank());
      clearErrors();
      Object.assign(dialog, { open: true, editing: null, message: '' });
    };
    const openEdit = (user) => {
      Object.assign(form, blank(), { id: user.id, name: user.name, role: user.role, unitId: user.unitId || '' });
      clearErrors();
      Object.assign(dialog, { open: true, editing: user, message: '' });
    };
    const validate = () => {
      clearErrors();
      if (!dialog.editing && !/^[A-Za-z0-9_.:-]{1,64}$/.test(form.id)) errors.id = t('admin.users.idInvalid');
      if (!form.name.trim()) errors.name = t('admin.common.required');
      if (form.role === 'unit' && !form.unitId) errors.unitId = t('admin.users.unitRequired');
      if (!dialog.editing && form.password && form.password.length < 8) errors.password = t('admin.users.passwordTooShort');
      return !Object.keys(errors).length;
    };
    const save = async () => {
      dialog.message = '';
      if (!validate()) return;
      dialog.busy = true;
      try {
        if (dialog.editing) {
          await updateUser(dialog.editing.id, { name: form.name.trim(), role: form.role, ...(form.role === 'unit' ? { unitId: form.unitId } : {}) });
          ElMessage.success(t('admin.users.updated', { id: dialog.editing.id }));
        } else {
          const created = await createUser({
            id: form.id, name: form.name.trim(), role: form.role, ...(form.role === 'unit' ? { unitId: form.unitId } : {}),
            ...(form.password ? { password: form.password } : {}),
          });
          ElMessage.success(t('admin.users.created', { id: form.id }));
          Object.assign(shownToken, { open: true, token: created.token, userId: form.id });
        }
        dialog.open = false;
        await load();
      } catch (e) {
        dialog.message = e.message;
        Object.assign(errors, fieldIssues(e));
      } finally {
        dialog.busy = false;
      }
    };
    const setActive = async (user, active) => {
      if (!active) {
        try {
          await ElMessageBox.confirm(t('admin.users.deactivateConfirm', { id: user.id }), t('admin.common.confirmTitle'), {
            type: 'warning', confirmButtonText: t('admin.common.deactivate'), cancelButtonText: t('admin.common.cancel'),
          });
        } catch {
          return;
        }
      }
      try {
        await updateUser(user.id, { active });
        ElMessage.success(t(active ? 'admin.users.activated' : 'admin.users.deactivated', { id: user.id }));
        await load();
      } catch (e) {
        ElMessage.error(e.message);
      }
    };
    const openPassword = (user) => Object.assign(pw, { open: true, user, value: '', error: '', busy: false });
    const savePassword = async () => {
      pw.error = '';
      if (pw.value.length < 8) return void (pw.error = t('admin.users.passwordTooShort'));
      pw.busy = true;
      try {
        await setPassword(pw.user.id, pw.value);
        ElMessage.success(t('admin.users.passwordReset', { id: pw.user.id }));
        pw.open = false;
        pw.value = '';
        await load();
      } catch (e) {
        pw.error = fieldIssues(e).password || e.message;
      } finally {
        pw.busy = false;
      }
    };
    const loadTokens = async () => {
      tokens.items = (await listTokens(tokens.user.id)).items;
    };
    const openTokens = async (user) => {
      Object.assign(tokens, { open: true, user, items: [], label: '', error: '' });
      await loadTokens().catch((e) => (tokens.error = e.message));
    };
    const issue = async () => {
      tokens.error = '';
      tokens.busy = true;
      try {
        const issued = await issueToken(tokens.user.id, tokens.label.trim());
        tokens.label = '';
        Object.assign(shownToken, { open: true, token: issued.token, userId: tokens.user.id });
        await loadTokens();
      } catch (e) {
        tokens.error = fieldIssues(e).label || e.message;
      } finally {
        tokens.busy = false;
      }
    };
    const revoke = async (token) => {
      try {
        await ElMessageBox.confirm(t('admin.users.revokeConfirm'), t('admin.common.confirmTitle'), {
          type: 'warning', confirmButtonText: t('admin.users.revoke'), cancelButtonText: t('admin.common.cancel'),
        });
      } catch {
        return;
      }
      try {
        await revokeToken(tokens.user.id, token.id);
        ElMessage.success(t('admin.users.revoked'));
        await loadTokens();
      } catch (e) {
        tokens.error = e.message;
      }
    };
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(shownToken.token);
        ElMessage.success(t('admin.users.tokenCopied'));
      } catch {
        // No clipboard (plain HTTP): the token is selectable.
      }
    };
    const closeToken = () => Object.assign(shownToken, { open: false, token: '', userId: '' });
    /** The list narrowed by the text box: user name, name or unit name. */
    const shown = computed(() => {
      const q = text.value.trim();
      if (!q) return users.value;
      return users.value.filter((u) => u.id.includes(q) || u.name.includes(q) || (u.unitId && (units.value[u.unitId] || '').includes(q)));
    });
    const roleOptions = Object.entries(zh.admin.roles).map(([value, label]) => ({ value, label }));
    const roleName = (r) => zh.admin.roles[r] || r;
    const me = computed(() => session.user?.id);
    return {
      t, users, shown, text, units, role, loading, error, form, errors, dialog, pw, tokens, shownToken, roleOptions, roleName, me, formatTime,
      load, openCreate, openEdit, save, setActive, openPassword, savePassword, openTokens, issue, revoke, copy, closeToken,
    };
  },
  template: `<div data-test="admin-users">
    <h1 class="page-title">{{ t('admin.users.title') }}</h1>
    <div class="admin-toolbar">
      <el-button type="primary" @click="openCreate" data-test="user-create">{{ t('admin.users.create') }}</el-button>
      <el-select v-model="role" clearable :placeholder="t('admin.users.filterRole')" :aria-label="t('admin.users.role')" style="width:140px" @change="load">
        <el-option v-for="o in roleOptions" :key="o.value" :value="o.value" :label="o.label" /></el-select>
      <el-input v-model="text" clearable :placeholder="t('admin.users.search')" :aria-label="t('admin.users.search')" style="width:220px" data-test="user-search" />
      <span>{{ t('admin.users.count', { n: shown.length }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" />
    <el-table :data="shown" row-key="id" v-loading="loading" style="width:100%" data-test="user-list">
      <template #empty><div class="empty-explained">{{ t('admin.users.empty') }}</div></template>
      <el-table-column :label="t('admin.users.id')" min-width="150"><template #default="{ row }">{{ row.id }}<span v-if="row.id === me">{{ t('admin.users.self') }}</span></template></el-table-column>
      <el-table-column :label="t('admin.users.name')" prop="name" min-width="100" />
      <el-table-column :label="t('admin.users.role')" width="110"><template #default="{ row }">{{ roleName(row.role) }}</template></el-table-column>
      <el-table-column :label="t('admin.users.unit')" min-width="160" show-overflow-tooltip><template #default="{ row }">{{ row.unitId ? (units[row.unitId] || row.unitId) : t('admin.common.none') }}</template></el-table-column>
      <el-table-column :label="t('admin.users.signIn')" width="90"><template #default="{ row }">{{ row.hasPassword ? t('admin.users.hasPassword') : t('admin.users.noPassword') }}</template></el-table-column>
      <el-table-column :label="t('admin.common.status')" width="90"><template #default="{ row }">
        <el-tag :type="row.active ? 'success' : 'info'" size="small">{{ row.active ? t('admin.common.active') : t('admin.common.inactive') }}</el-tag></template></el-table-column>
      <el-table-column :label="t('admin.common.actions')" width="280"><template #default="{ row }">
        <el-button link type="primary" @click="openEdit(row)" :data-test="'edit-' + row.id">{{ t('admin.common.edit') }}</el-button>
        <el-button link type="primary" @click="openPassword(row)" :data-test="'password-' + row.id">{{ t('admin.users.resetPassword') }}</el-button>
        <el-button link type="primary" @click="openTokens(row)" :data-test="'tokens-' + row.id">{{ t('admin.users.tokens') }}</el-button>
        <template v-if="row.id !== me">
          <el-button v-if="row.active" link type="danger" @click="setActive(row, false)" :data-test="'deactivate-' + row.id">{{ t('admin.common.deactivate') }}</el-button>
          <el-button v-else link type="success" @click="setActive(row, true)" :data-test="'activate-' + row.id">{{ t('admin.common.activate') }}</el-button>
        </template>
      </template></el-table-column>
    </el-table>

    <el-dialog v-model="dialog.open" :title="dialog.editing ? t('admin.users.editTitle', { id: dialog.editing.id }) : t('admin.users.createTitle')" width="520px" data-test="user-dialog">
      <el-form label-position="top" @submit.prevent="save">
        <el-form-item :label="t('admin.users.id')" :error="errors.id" for="us-id"><el-input id="us-id" v-model="form.id" :disabled="!!dialog.editing" autocomplete="off" /></el-form-item>
        <el-form-item :label="t('admin.users.name')" :error="errors.name" for="us-name"><el-input id="us-name" v-model="form.name" /></el-form-item>
        <el-form-item :label="t('admin.users.role')" :error="errors.role" for="us-role">
          <el-select id="us-role" v-model="form.role" :aria-label="t('admin.users.role')" data-test="user-role"><el-option v-for="o in roleOptions" :key="o.value" :value="o.value" :label="o.label" /></el-select></el-form-item>
        <el-form-item v-if="form.role === 'unit'" :label="t('admin.users.unit')" :error="errors.unitId" for="us-unit">
          <unit-picker v-model="form.unitId" input-id="us-unit" :label="t('admin.users.unit')" /></el-form-item>
        <el-form-item v-if="!dialog.editing" :label="t('admin.users.password')" :error="errors.password" for="us-password">
          <el-input id="us-password" v-model="form.password" type="password" show-password autocomplete="new-password" /></el-form-item>
        <div v-else class="form-hint">{{ t('admin.users.roleChangeNote') }}</div>
        <el-alert v-if="dialog.message" :title="dialog.message" type="error" :closable="false" role="alert" data-test="user-error" style="margin-top:8px" />
      </el-form>
      <template #footer>
        <el-button @click="dialog.open = false">{{ t('admin.common.cancel') }}</el-button>
        <el-button type="primary" :loading="dialog.busy" @click="save" data-test="user-save">{{ t('admin.common.save') }}</el-button>
      </template>
    </el-dialog>

    <el-dialog v-model="pw.open" :title="pw.user ? t('admin.labelled', { label: t('admin.users.resetPassword'), value: pw.user.id }) : ''" width="420px" data-test="password-dialog">
      <el-form label-position="top" @submit.prevent="savePassword">
        <el-form-item :label="t('admin.users.newPassword')" :error="pw.error" for="pw-new"><el-input id="pw-new" v-model="pw.value" type="password" show-password autocomplete="new-password" /></el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="pw.open = false">{{ t('admin.common.cancel') }}</el-button>
        <el-button type="primary" :loading="pw.busy" @click="savePassword" data-test="password-save">{{ t('admin.common.save') }}</el-button>
      </template>
    </el-dialog>

    <el-drawer v-model="tokens.open" :title="tokens.user ? t('admin.users.tokensOf', { id: tokens.user.id }) : ''" size="560px" data-test="tokens-drawer">
      <el-form inline @submit.prevent="issue">
        <el-form-item :label="t('admin.users.tokenLabel')" for="tk-label"><el-input id="tk-label" v-model="tokens.label" style="width:220px" /></el-form-item>
        <el-form-item><el-button type="primary" native-type="submit" :loading="tokens.busy" data-test="token-issue">{{ t('admin.users.issueToken') }}</el-button></el-form-item>
      </el-form>
      <el-alert v-if="tokens.error" :title="tokens.error" type="error" :closable="false" role="alert" />
      <el-table :data="tokens.items" row-key="id" data-test="token-list">
        <template #empty><div class="empty-explained">{{ t('admin.users.tokensEmpty') }}</div></template>
        <el-table-column :label="t('admin.users.tokenLabel')" min-width="140"><template #default="{ row }">{{ row.label || t('admin.common.none') }}</template></el-table-column>
        <el-table-column :label="t('admin.users.tokenCreatedAt')" width="150"><template #default="{ row }">{{ formatTime(row.createdAt) }}</template></el-table-column>
        <el-table-column :label="t('admin.common.status')" width="170"><template #default="{ row }">
          <span>{{ row.revokedAt ? t('admin.users.tokenRevokedAt', { at: formatTime(row.revokedAt) }) : t('admin.users.tokenActive') }}</span></template></el-table-column>
        <el-table-column :label="t('admin.common.actions')" width="80"><template #default="{ row }">
          <el-button v-if="!row.revokedAt" link type="danger" @click="revoke(row)" :data-test="'revoke-' + row.id">{{ t('admin.users.revoke') }}</el-button></template></el-table-column>
      </el-table>
    </el-drawer>

    <el-dialog :model-value="shownToken.open" :title="t('admin.noted', { text: t('admin.users.tokenTitle'), note: shownToken.userId })" width="560px" :show-close="false"
        :close-on-click-modal="false" :close-on-press-escape="false" data-test="token-dialog">
      <el-alert :title="t('admin.users.tokenOnce')" type="warning" :closable="false" show-icon style="margin-bottom:8px" />
      <div class="token-once" data-test="token-once" tabindex="0" :aria-label="t('admin.users.tokenTitle')">{{ shownToken.token }}</div>
      <template #footer>
        <el-button @click="copy">{{ t('admin.users.tokenCopy') }}</el-button>
        <el-button type="primary" @click="closeToken" data-test="token-close">{{ t('admin.users.tokenClose') }}</el-button>
      </template>
    </el-dialog>
  </div>`,
};
