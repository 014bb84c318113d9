/** 修改密码: the signed-in user changes their own password. */
import { reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { changePassword } from '../api/auth.js';
import { t } from '../i18n.js';

export default {
  name: 'ChangePassword',
  setup() {
    const form = reactive({ current: '', next: '', repeat: '' });
    const errors = reactive({});
    const message = ref('');
    const submit = async () => {
      errors.current = form.current ? '' : t('form.required');
      errors.next = form.next.length >= 8 ? '' : t('password.tooShort');
      errors.repeat = form.next === form.repeat ? '' : t('password.mismatch');
      if (errors.current || errors.next || errors.repeat) return;
      try {
        await changePassword(form.current, form.next);
        ElMessage.success(t('password.done'));
        Object.assign(form, { current: '', next: '', repeat: '' });
        message.value = '';
      } catch (error) {
        message.value = error.message;
      }
    };
    return { form, errors, message, submit, t };
  },
  template: `<el-card style="max-width:480px">
    <h1 class="page-title">{{ t('password.title') }}</h1>
    <el-alert v-if="message" :title="message" type="error" :closable="false" role="alert" style="margin-bottom:12px" />
    <el-form label-position="top" @submit.prevent="submit">
      <el-form-item :label="t('password.current')" for="pw-current" :error="errors.current"><el-input id="pw-current" v-model="form.current" type="password" autocomplete="current-password" /></el-form-item>
      <el-form-item :label="t('password.next')" for="pw-next" :error="errors.next"><el-input id="pw-next" v-model="form.next" type="password" autocomplete="new-password" /></el-form-item>
      <el-form-item :label="t('password.repeat')" for="pw-repeat" :error="errors.repeat"><el-input id="pw-repeat" v-model="form.repeat" type="password" autocomplete="new-password" /></el-form-item>
      <el-button type="primary" native-type="submit">{{ t('password.submit') }}</el-button>
    </el-form>
  </el-card>`,
};
