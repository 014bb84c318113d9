/**
 * 督办 a work order from a list: the method (书面/电话/现场/会议协调/指定督办, 004 第十二条(二),
 * 001 三(三)), the reason it is supervised and a note; the existing supervise action of the API
 * (POST /tickets/:id/supervise) does the rest. Refusals show in Chinese.
 */
import { reactive, ref, watch } from 'vue';
import { act } from '../api/tickets.js';
import { newKey } from '../format.js';
import { options, t } from '../i18n.js';

export default {
  name: 'SuperviseDialog',
  props: { workOrderId: String, modelValue: Boolean },
  emits: ['update:modelValue', 'done'],
  setup(props, { emit }) {
    const form = reactive({ method: 'written', trigger: 'manual', reason: '' });
    const error = ref('');
    const busy = ref(false);
    let key = newKey();
    watch(() => props.modelValue, (open) => {
      if (open) Object.assign(form, { method: 'written', trigger: 'manual', reason: '' }), (error.value = ''), (key = newKey());
    });
    const close = () => emit('update:modelValue', false);
    const submit = async () => {
      if (!form.reason.trim()) return void (error.value = t('supervisor.supervise.reasonRequired'));
      busy.value = true;
      error.value = '';
      try {
        await act(props.workOrderId, 'supervise', { method: form.method, trigger: form.trigger, reason: form.reason.trim() }, key);
        emit('done', props.workOrderId);
        close();
      } catch (e) {
        error.value = e.message;
      } finally {
        busy.value = false;
      }
    };
    return { form, error, busy, submit, close, options, t };
  },
  template: `<el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" :title="t('supervisor.supervise.title', { id: workOrderId })" width="480px" data-test="supervise-dialog">
    <el-alert v-if="error" :title="error" type="error" :closable="false" role="alert" data-test="supervise-error" style="margin-bottom:12px" />
    <el-form label-position="top" @submit.prevent="submit">
      <el-form-item :label="t('supervisor.supervise.method')" for="sv-method">
        <el-select id="sv-method" v-model="form.method" :aria-label="t('supervisor.supervise.method')" data-test="supervise-method" style="width:100%">
          <el-option v-for="o in options('superviseMethods')" :key="o.value" :value="o.value" :label="o.label" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('supervisor.supervise.trigger')" for="sv-trigger">
        <el-select id="sv-trigger" v-model="form.trigger" :aria-label="t('supervisor.supervise.trigger')" style="width:100%">
          <el-option v-for="o in options('superviseTriggers')" :key="o.value" :value="o.value" :label="o.label" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('supervisor.supervise.reason')" for="sv-reason" required>
        <el-input id="sv-reason" v-model="form.reason" type="textarea" :rows="3" maxlength="2000" data-test="supervise-reason" />
      </el-form-item>
    </el-form>
    <template #footer>
      <el-button @click="close">{{ t('supervisor.supervise.cancel') }}</el-button>
      <el-button type="primary" :loading="busy" @click="submit" data-test="supervise-submit">{{ t('supervisor.supervise.submit') }}</el-button>
    </template>
  </el-dialog>`,
};
