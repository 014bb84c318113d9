/** The console's entry: Vue + Element Plus (zh-CN locale) + the router. No build step. */
import { createApp, watch } from 'vue';
import ElementPlus from 'element-plus';
import zhCn from 'element-plus/zh-cn';
import { t } from './i18n.js';
import { router } from './router.js';
import { session } from './session.js';

const app = createApp({
  setup: () => ({ zhCn }),
  template: `<el-config-provider :locale="zhCn"><router-view /></el-config-provider>`,
});
app.use(ElementPlus, { locale: zhCn });
app.use(router);
app.mount('#app');
document.title = t('app.title');

// A session that ended (expired, signed out elsewhere): back to the sign-in page.
watch(
  () => session.user,
  (user) => {
    if (!user && session.checked && router.currentRoute.value.path !== '/sign-in') void router.push('/sign-in');
  },
);
