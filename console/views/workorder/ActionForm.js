/** One action as a form: labelled fields, Chinese validation beside each, the refusal in Chinese. */
import { reactive, ref } from 'vue';
import { act, extensionLimit } from '../../api/tickets.js';
import UnitPicker from '../../components/UnitPicker.js';
import { newKey } from '../../format.js';
import { label, options, t } from '../../i18n.js';
import { serverNow } from '../../session.js';
import { actionFields } from './actionSpecs.js';

/** `YYYY-MM-DDTHH:mm` in China time (the picker's value; sent with +08:00). */
const chinaLocal = (ms) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);

export default {
  name: 'ActionForm',
  components: { UnitPicker },
  props: { workOrderId: String, action: String },
  emits: ['done'],
  setup(props, { emit }) {
    const fields = actionFields[props.action];
    const form = reactive({});
    for (const f of fields) form[f.name] = f.kind === 'datetime' ? chinaLocal(serverNow()) : f.value !== undefined ? structuredClone(f.value) : f.kind === 'bool' ? true : '';
    const errors = reactive({});
    const message = ref('');
    const busy = ref(false);
    let key = newKey();
    const optionsOf = (f) => (f.options ? f.options.map((o) => ({ value: o.value, label: t(o.label) })) : options(f.group));
    const submit = async () => {
      message.value = '';
      for (const k of Object.keys(errors)) delete errors[k];
      const body = {};
      for (const f of fields) {
        let v = form[f.name];
        if (typeof v === 'string') v = v.trim();
        if (f.required && (v === '' || v === null || v === undefined)) errors[f.name] = t('form.required');
        if (v === '' || v === null || v === undefined || (Array.isArray(v) && !v.length)) continue;
        if (f.kind === 'number') v = Number(v);
        if (f.kind === 'datetime') v = `${v}:00+08:00`;
        body[f.name] = v;
      }
      if (Object.keys(errors).length) return;
      busy.value = true;
      try {
        const state = await act(props.workOrderId, props.action, body, key);
        key = newKey();
        emit('done', state);
      } catch (error) {
        message.value = error.message;
        Object.assign(errors, error.fieldErrors ? error.fieldErrors() : {});
      } finally {
        busy.value = false;
      }
    };
    // 延期: say the longest allowed length before the rules would refuse it.
    const hint = ref('');
    if (props.action === 'extension') {
      extensionLimit(props.workOrderId)
        .then((l) => {
          if (l.maxWorkingDays) hint.value = t('form.maxWorkingDays', { n: l.maxWorkingDays });
        })
        .catch(() => undefined);
    }
    const id = (f) => `a-${props.action}-${f.name}`;
    return { hint, fields, form, errors, message, busy, submit, optionsOf, id, label, t };
  },
  template: `<el-form label-position="top" @submit.prevent="submit" :data-test="'form-' + action">
    <el-alert v-if="message" :title="message" type="error" show-icon :closable="false" role="alert" data-test="action-error" style="margin-bottom:8px" />
    <el-form-item v-for="f in fields" :key="f.name" :label="t(f.label)" :for="id(f)" :error="errors[f.name]" :required="f.required">
      <el-radio-group v-if="f.kind === 'bool'" v-model="form[f.name]" :id="id(f)" :aria-label="t(f.label)">
        <el-radio :value="true">{{ t('form.yes') }}</el-radio><el-radio :value="false">{{ t('form.no') }}</el-radio></el-radio-group>
      <el-select v-else-if="f.kind === 'select'" v-model="form[f.name]" :id="id(f)" :aria-label="t(f.label)" :clearable="!f.required" :placeholder="t('form.none')">
        <el-option v-for="o in optionsOf(f)" :key="o.value" :value="o.value" :label="o.label" /></el-select>
      <unit-picker v-else-if="f.kind === 'unit'" v-model="form[f.name]" :input-id="id(f)" :label="t(f.label)" />
      <unit-picker v-else-if="f.kind === 'units'" v-model="form[f.name]" multiple :input-id="id(f)" :label="t(f.label)" />
      <template v-else-if="f.kind === 'number'"><el-input-number v-model="form[f.name]" :min="f.min" :max="f.max" :id="id(f)" :aria-label="t(f.label)" />
        <span v-if="hint" style="margin-left:8px;color:#606266" data-test="extension-hint">{{ hint }}</span></template>
      <el-date-picker v-else-if="f.kind === 'datetime'" v-model="form[f.name]" type="datetime" :id="id(f)" :aria-label="t(f.label)"
        value-format="YYYY-MM-DDTHH:mm" format="YYYY-MM-DD HH:mm" :clearable="false" />
      <el-input v-else-if="f.kind === 'textarea'" v-model="form[f.name]" type="textarea" :rows="2" :id="id(f)" />
      <el-input v-else v-model="form[f.name]" :id="id(f)" />
    </el-form-item>
    <el-button type="primary" native-type="submit" :loading="busy" :data-test="'submit-' + action">{{ t('form.submit') }}：{{ label('actions', action) }}</el-button>
  </el-form>`,
};
