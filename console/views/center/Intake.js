/**
 * 受理登记: the operator's intake form, built for the keyboard (Tab from top to bottom, arrow
 * keys in the option groups, type-and-Enter in the unit pickers, Ctrl+Enter submits anywhere).
 * The caller's earlier work orders appear beside it as the phone number is typed.
 */
import { computed, onMounted, onUnmounted, reactive, ref, watch } from 'vue';
import { useRouter } from 'vue-router';
import { ElMessage } from 'element-plus';
import { callerHistory } from '../../api/callers.js';
import { createTicket } from '../../api/tickets.js';
import UnitPicker from '../../components/UnitPicker.js';
import { formatTime, newKey } from '../../format.js';
import { label, options, t } from '../../i18n.js';

const blank = () => ({
  callerName: '', callerPhone: '', channel: 'phone', category: 'complaint', urgency: 'normal', address: '', summary: '',
  classification: 'dispatch', immediateAnswer: '', mainUnitId: '', coUnitIds: [],
});

export default {
  name: 'Intake',
  components: { UnitPicker },
  setup() {
    const router = useRouter();
    const form = reactive(blank());
    const errors = reactive({});
    const message = ref('');
    const busy = ref(false);
    const history = ref(null);
    let key = newKey();
    let historyTimer;

    watch(
      () => form.callerPhone,
      (phone) => {
        clearTimeout(historyTimer);
        const digits = phone.replace(/[^0-9]/g, '');
        if (digits.length < 7 || !/^\+?[0-9-]{3,20}$/.test(phone)) return void (history.value = null);
        historyTimer = setTimeout(async () => {
          try {
            history.value = await callerHistory(phone);
          } catch {
            history.value = null;
          }
        }, 300);
      },
    );

    // The operator starts typing the caller's name at once.
    const nameInput = ref(null);
    onMounted(() => nameInput.value?.focus());
    const confidential = computed(() => form.category === 'report');

    const validate = () => {
      for (const k of Object.keys(errors)) delete errors[k];
      if (!form.callerName.trim()) errors.callerName = t('intake.required');
      if (!/^\+?[0-9-]{3,20}$/.test(form.callerPhone)) errors.callerPhone = t('intake.phoneInvalid');
      if (!form.summary.trim()) errors.summary = t('intake.required');
      if (form.classification !== 'immediate' && form.classification !== 'leadership' && !form.mainUnitId) errors.mainUnitId = t('intake.mainUnitRequired');
      if (form.classification === 'immediate' && !form.immediateAnswer.trim()) errors.immediateAnswer = t('intake.immediateRequired');
      return Object.keys(errors).length === 0;
    };

    const submit = async () => {
      message.value = '';
      if (!validate()) return;
      busy.value = true;
      const body = {
        callerName: form.callerName.trim(), callerPhone: form.callerPhone, channel: form.channel, category: form.category, urgency: form.urgency,
        summary: form.summary.trim(), classification: form.classification, coUnitIds: form.coUnitIds,
        ...(form.address.trim() ? { address: form.address.trim() } : {}),
        ...(form.mainUnitId && form.classification !== 'immediate' ? { mainUnitId: form.mainUnitId } : {}),
        ...(form.classification === 'immediate' ? { immediateAnswer: form.immediateAnswer.trim() } : {}),
      };
      try {
        const state = await createTicket(body, key);
        key = newKey();
        ElMessage.success(`${t('intake.created')} ${state.workOrderId}`);
        await router.push(`/tickets/${state.workOrderId}`);
      } catch (error) {
        message.value = error.message;
        Object.assign(errors, error.fieldErrors ? error.fieldErrors() : {});
      } finally {
        busy.value = false;
      }
    };
    const onKey = (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        e.stopPropagation();
        void submit();
      }
    };
    // Capture phase: the unit picker's own Enter handling must not swallow Ctrl+Enter.
    onMounted(() => document.addEventListener('keydown', onKey, true));
    onUnmounted(() => document.removeEventListener('keydown', onKey, true));
    return { nameInput, form, errors, message, busy, history, confidential, submit, onKey, options, label, t, formatTime };
  },
  template: `<div>
    <h1 class="page-title">{{ t('intake.title') }}</h1>
    <div class="intake-grid">
      <el-card>
        <el-alert v-if="message" :title="message" type="error" show-icon :closable="false" role="alert" data-test="intake-error" style="margin-bottom:12px" />
        <el-form label-width="110px" label-position="top" @submit.prevent="submit" data-test="intake-form">
          <el-row :gutter="12">
            <el-col :xs="24" :sm="12"><el-form-item :label="t('fields.callerName')" for="f-callerName" :error="errors.callerName" required>
              <el-input ref="nameInput" id="f-callerName" v-model="form.callerName" autocomplete="off" /></el-form-item></el-col>
            <el-col :xs="24" :sm="12"><el-form-item :label="t('fields.callerPhone')" for="f-callerPhone" :error="errors.callerPhone" required>
              <el-input id="f-callerPhone" v-model="form.callerPhone" inputmode="tel" autocomplete="off" /></el-form-item></el-col>
          </el-row>
          <el-form-item :label="t('fields.channel')"><el-radio-group v-model="form.channel" :aria-label="t('fields.channel')">
            <el-radio v-for="o in options('channels')" :key="o.value" :value="o.value">{{ o.label }}</el-radio></el-radio-group></el-form-item>
          <el-form-item :label="t('fields.category')"><el-radio-group v-model="form.category" :aria-label="t('fields.category')" data-test="f-category">
            <el-radio v-for="o in options('categories')" :key="o.value" :value="o.value">{{ o.label }}</el-radio></el-radio-group></el-form-item>
          <el-form-item :label="t('fields.urgency')"><el-radio-group v-model="form.urgency" :aria-label="t('fields.urgency')">
            <el-radio v-for="o in options('urgencies')" :key="o.value" :value="o.value">{{ o.label }}</el-radio></el-radio-group></el-form-item>
          <el-form-item :label="t('fields.address')" for="f-address"><el-input id="f-address" v-model="form.address" /></el-form-item>
          <el-form-item :label="t('fields.summary')" for="f-summary" :error="errors.summary" required>
            <el-input id="f-summary" v-model="form.summary" type="textarea" :rows="3" /></el-form-item>
          <el-form-item :label="t('fields.classification')"><el-radio-group v-model="form.classification" :aria-label="t('fields.classification')">
            <el-radio v-for="o in options('classifications')" :key="o.value" :value="o.value">{{ o.label }}</el-radio></el-radio-group></el-form-item>
          <el-form-item v-if="form.classification === 'immediate'" :label="t('fields.immediateAnswer')" for="f-immediateAnswer" :error="errors.immediateAnswer" required>
            <el-input id="f-immediateAnswer" v-model="form.immediateAnswer" type="textarea" :rows="2" /></el-form-item>
          <template v-else>
            <el-form-item :label="t('fields.mainUnit')" for="f-mainUnit" :error="errors.mainUnitId" :required="form.classification === 'dispatch'">
              <unit-picker v-model="form.mainUnitId" input-id="f-mainUnit" :label="t('fields.mainUnit')" /></el-form-item>
            <el-form-item :label="t('fields.coUnits')" for="f-coUnits"><unit-picker v-model="form.coUnitIds" multiple input-id="f-coUnits" :label="t('fields.coUnits')" /></el-form-item>
          </template>
          <el-form-item :label="t('fields.confidential')">
            <el-switch :model-value="confidential" disabled :aria-label="t('fields.confidential')" /><span style="margin-left:8px;color:#606266">{{ t('intake.confidentialNote') }}</span>
          </el-form-item>
          <el-button type="primary" native-type="submit" :loading="busy" data-test="intake-submit">{{ t('intake.submit') }}</el-button>
        </el-form>
      </el-card>
      <el-card aria-live="polite" data-test="caller-history">
        <h2 style="font-size:16px;margin-top:0">{{ t('intake.history') }}</h2>
        <p v-if="!history" style="color:#606266">{{ t('intake.historyHint') }}</p>
        <p v-else-if="!history.items.length">{{ t('intake.historyEmpty') }}</p>
        <ul v-else class="history"><li v-for="h in history.items" :key="h.id">
          <router-link :to="'/tickets/' + h.id">{{ h.id }}</router-link> {{ formatTime(h.createdAt) }}
          <el-tag size="small">{{ label('stages', h.stage) }}</el-tag> {{ label('categories', h.category) }}：{{ h.summary }}
        </li></ul>
      </el-card>
    </div>
  </div>`,
};
