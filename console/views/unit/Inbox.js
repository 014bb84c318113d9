/**
 * 待办工单 (the unit's inbox): open work orders, nearest deadline first, with live countdowns;
 * new (待签收) and urged (催办/督办) ones stand out by colour AND a worded tag; the unread
 * notifications beside it. Pages on the server (a unit may hold thousands).
 */
import { onBeforeUnmount, ref, watch } from 'vue';
import { useRouter } from 'vue-router';
import { listNotifications, markRead } from '../../api/notifications.js';
import { listTickets } from '../../api/tickets.js';
import Countdown from '../../components/Countdown.js';
import { formatTime } from '../../format.js';
import { label, t } from '../../i18n.js';
import { refresh, session } from '../../session.js';

const openStages = ['preBriefing', 'awaitingInstruction', 'awaitingDispatch', 'dispatched', 'handling', 'returnRequested', 'replied', 'callback', 'expertEvaluation'];

export default {
  name: 'Inbox',
  components: { Countdown },
  setup() {
    const router = useRouter();
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const pageSize = 20;
    const loading = ref(false);
    const error = ref('');
    const notes = ref([]);
    const load = async () => {
      loading.value = true;
      error.value = '';
      try {
        // Both at once; the rows show as soon as they arrive.
        const notesLoaded = listNotifications({ unread: 'true', pageSize: 10 }).then((n) => (notes.value = n.items)).catch(() => undefined);
        const data = await listTickets({ stage: openStages, sort: 'deadline', page: page.value, pageSize });
        rows.value = data.items;
        total.value = data.total;
        loading.value = false;
        await notesLoaded;
      } catch (e) {
        error.value = e.message;
      } finally {
        loading.value = false;
      }
    };
    watch(() => session.version, () => void load(), { immediate: true });
    // The table on a desk, cards on a phone: only the one shown is rendered (first screen < 2 s).
    const phone = window.matchMedia('(max-width: 760px)');
    const narrow = ref(phone.matches);
    const onWidth = () => (narrow.value = phone.matches);
    phone.addEventListener('change', onWidth);
    onBeforeUnmount(() => phone.removeEventListener('change', onWidth));
    const isNew = (row) => row.stage === 'dispatched';
    const isUrged = (row) => !!row.escalationLevel;
    const rowClass = ({ row }) => (isUrged(row) ? 'row-urged' : isNew(row) ? 'row-new' : '');
    const open = (row) => void router.push(`/tickets/${row.id}`);
    const read = async (n) => {
      await markRead(n.id).catch(() => undefined);
      refresh();
      void router.push(`/tickets/${n.workOrderId}`);
    };
    const go = (p) => { page.value = p; void load(); };
    return { narrow, rows, total, page, pageSize, loading, error, notes, isNew, isUrged, rowClass, open, read, go, label, t, formatTime };
  },
  template: `<div>
    <h1 class="page-title">{{ t('inbox.title') }} <small style="font-size:13px;color:#606266">{{ t('inbox.sortNote') }} · {{ t('list.total', { n: total }) }}</small></h1>
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" style="margin-bottom:12px" />
    <el-row :gutter="12">
      <el-col :xs="24" :md="17">
        <el-card v-if="!narrow" class="inbox-table">
          <el-table :data="rows" v-loading="loading" :row-class-name="rowClass" @row-dblclick="open" data-test="inbox">
            <template #empty><div class="empty-explained">{{ t('inbox.empty') }}</div></template>
            <el-table-column :label="t('fields.id')" width="170"><template #default="{ row }"><router-link :to="'/tickets/' + row.id">{{ row.id }}</router-link></template></el-table-column>
            <el-table-column :label="t('fields.nextDeadline')" width="190"><template #default="{ row }"><countdown :deadline="row.nextDeadline" :overdue="row.overdue" :provisional="!!(row.provisional || row.nextDeadlineProvisional)" /></template></el-table-column>
            <el-table-column :label="t('fields.stage')" width="150"><template #default="{ row }"><span class="tag-row">
              <el-tag size="small">{{ label('stages', row.stage) }}</el-tag>
              <el-tag v-if="isNew(row)" size="small" type="primary" effect="dark">{{ t('badges.new') }}</el-tag>
              <el-tag v-if="isUrged(row)" size="small" type="warning" effect="dark">{{ label('escalations', row.escalationLevel) }}</el-tag>
            </span></template></el-table-column>
            <el-table-column :label="t('fields.category')" width="70"><template #default="{ row }">{{ label('categories', row.category) }}</template></el-table-column>
            <el-table-column :label="t('fields.summary')" min-width="200" show-overflow-tooltip prop="summary" />
          </el-table>
        </el-card>
        <div v-else class="inbox-cards" data-test="inbox-cards">
          <p v-if="!rows.length && !loading" class="empty-explained">{{ t('inbox.empty') }}</p>
          <el-card v-for="row in rows" :key="row.id" :class="rowClass({ row })" shadow="never">
            <router-link :to="'/tickets/' + row.id">{{ row.id }}</router-link>
            <span class="tag-row" style="margin-left:6px"><el-tag size="small">{{ label('stages', row.stage) }}</el-tag>
              <el-tag v-if="isNew(row)" size="small" type="primary" effect="dark">{{ t('badges.new') }}</el-tag>
              <el-tag v-if="isUrged(row)" size="small" type="warning" effect="dark">{{ label('escalations', row.escalationLevel) }}</el-tag></span>
            <div><countdown :deadline="row.nextDeadline" :overdue="row.overdue" /></div>
            <div style="color:#606266">{{ row.summary }}</div>
          </el-card>
        </div>
        <el-pagination style="margin-top:12px" layout="prev, pager, next" :total="total" :page-size="pageSize" :current-page="page" @current-change="go" />
      </el-col>
      <el-col :xs="24" :md="7">
        <el-card data-test="notifications">
          <h2 style="font-size:16px;margin-top:0">{{ t('inbox.notifications') }}</h2>
          <p v-if="!notes.length" style="color:#606266">{{ t('inbox.notificationsEmpty') }}</p>
          <ul v-else style="padding-left:18px;margin:0"><li v-for="n in notes" :key="n.id" style="margin-bottom:6px">
            <el-link type="primary" @click="read(n)">{{ label('notificationKinds', n.kind) }} · {{ n.workOrderId }}</el-link>
            <div style="font-size:12px;color:#606266">{{ formatTime(n.createdAt) }}</div></li></ul>
        </el-card>
      </el-col>
    </el-row>
  </div>`,
};
