/**
 * 来电号码查看记录: every time a person was shown a caller's phone (who, when, which work order,
 * through which screen), newest first, filtered by user and work order (kept in the URL).
 */
import { reactive, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { phoneReveals } from '../../api/admin.js';
import { unitNames } from '../../api/units.js';
import { formatTime } from '../../format.js';
import { t, zh } from '../../i18n.js';

export default {
  name: 'AdminPhoneReveals',
  setup() {
    const route = useRoute();
    const router = useRouter();
    const filters = reactive({ userId: '', workOrderId: '' });
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const pageSize = 50;
    const loading = ref(false);
    const error = ref('');
    const units = ref({});
    void unitNames().then((m) => (units.value = m));

    const load = async () => {
      loading.value = true;
      error.value = '';
      try {
        const data = await phoneReveals({ userId: route.query.userId, workOrderId: route.query.workOrderId, page: page.value, pageSize });
        rows.value = data.items;
        total.value = data.total;
      } catch (e) {
        error.value = e.message;
        rows.value = [];
        total.value = 0;
      } finally {
        loading.value = false;
      }
    };
    watch(
      () => route.query,
      () => {
        filters.userId = route.query.userId ?? '';
        filters.workOrderId = route.query.workOrderId ?? '';
        page.value = Number(route.query.page) || 1;
        void load();
      },
      { immediate: true },
    );
    const apply = (toPage = 1) => {
      const q = {};
      if (filters.userId.trim()) q.userId = filters.userId.trim();
      if (filters.workOrderId.trim()) q.workOrderId = filters.workOrderId.trim();
      if (toPage > 1) q.page = String(toPage);
      void router.push({ path: route.path, query: q });
    };
    const reset = () => void router.push({ path: route.path });
    return { t, zh, filters, rows, total, page, pageSize, loading, error, units, apply, reset, formatTime };
  },
  template: `<div data-test="admin-phone-reveals">
    <h1 class="page-title">{{ t('admin.phoneReveals.title') }}</h1>
    <p class="form-hint">{{ t('admin.phoneReveals.note') }}</p>
    <el-card class="filters">
      <el-form inline label-position="top" @submit.prevent="apply(1)">
        <el-form-item :label="t('admin.phoneReveals.user')" for="pr-user"><el-input id="pr-user" v-model="filters.userId" clearable style="width:200px" /></el-form-item>
        <el-form-item :label="t('admin.phoneReveals.workOrder')" for="pr-wo"><el-input id="pr-wo" v-model="filters.workOrderId" clearable style="width:200px" /></el-form-item>
        <el-form-item label=" "><el-button type="primary" native-type="submit" data-test="pr-search">{{ t('admin.common.search') }}</el-button><el-button @click="reset">{{ t('admin.common.reset') }}</el-button></el-form-item>
      </el-form>
    </el-card>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" style="margin:12px 0" />
    <el-card style="margin-top:12px">
      <div style="margin-bottom:8px" data-test="pr-total">{{ t('admin.phoneReveals.total', { n: total }) }}</div>
      <el-table :data="rows" v-loading="loading" row-key="id" style="width:100%" data-test="pr-list">
        <template #empty><div class="empty-explained">{{ t('admin.phoneReveals.empty') }}</div></template>
        <el-table-column :label="t('admin.phoneReveals.at')" width="160"><template #default="{ row }">{{ formatTime(row.revealedAt) }}</template></el-table-column>
        <el-table-column :label="t('admin.phoneReveals.user')" prop="userId" min-width="150" />
        <el-table-column :label="t('admin.phoneReveals.role')" width="110"><template #default="{ row }">{{ zh.admin.roles[row.role] || row.role }}</template></el-table-column>
        <el-table-column :label="t('admin.phoneReveals.unit')" min-width="160"><template #default="{ row }">{{ row.unitId ? (units[row.unitId] || row.unitId) : t('admin.common.none') }}</template></el-table-column>
        <el-table-column :label="t('admin.phoneReveals.workOrder')" width="180"><template #default="{ row }"><router-link :to="'/tickets/' + row.workOrderId">{{ row.workOrderId }}</router-link></template></el-table-column>
        <el-table-column :label="t('admin.phoneReveals.via')" width="110"><template #default="{ row }">{{ zh.admin.phoneReveals.vias[row.via] || row.via }}</template></el-table-column>
      </el-table>
      <el-pagination style="margin-top:12px" layout="total, prev, pager, next" :total="total" :page-size="pageSize" :current-page="page" @current-change="apply" />
    </el-card>
  </div>`,
};
