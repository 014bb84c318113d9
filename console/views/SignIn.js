/** 登录: user name and password; wrong password and lockout explained in Chinese. */
import { reactive, ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { t } from '../i18n.js';
import { homeOf, signIn } from '../session.js';

export default {
  name: 'SignIn',
  setup() {
    const router = useRouter();
    const route = useRoute();
    const form = reactive({ login: '', password: '' });
    const errors = reactive({ login: '', password: '' });
    const message = ref('');
    const busy = ref(false);
    const submit = async () => {
      errors.login = form.login.trim() ? '' : t('signIn.loginRequired');
      errors.password = form.password ? '' : t('signIn.passwordRequired');
      if (errors.login || errors.password) return;
      busy.value = true;
      message.value = '';
      try {
        const user = await signIn(form.login.trim(), form.password);
        const next = typeof route.query.next === 'string' && route.query.next.startsWith('/') ? route.query.next : homeOf(user.role);
        await router.push(next);
      } catch (error) {
        message.value = error.message;
      } finally {
        busy.value = false;
      }
    };
    return { form, errors, message, busy, submit, t };
  },
  template: `<div class="sign-in"><el-card>
    <h1 class="page-title">{{ t('signIn.title') }}</h1>
    <el-alert v-if="message" :title="message" type="error" show-icon :closable="false" role="alert" data-test="sign-in-error" style="margin-bottom:12px" />
    <el-form label-position="top" @submit.prevent="submit">
      <el-form-item :label="t('signIn.login')" for="login" :error="errors.login">
        <el-input id="login" v-model="form.login" autocomplete="username" autofocus />
      </el-form-item>
      <el-form-item :label="t('signIn.password')" for="password" :error="errors.password">
        <el-input id="password" v-model="form.password" type="password" show-password autocomplete="current-password" @keyup.enter="submit" />
      </el-form-item>
      <el-button type="primary" native-type="submit" :loading="busy" style="width:100%" data-test="sign-in-submit">{{ t('signIn.submit') }}</el-button>
    </el-form>
    <p style="color:#606266;font-size:13px">{{ t('signIn.hint') }}</p>
  </el-card></div>`,
};
