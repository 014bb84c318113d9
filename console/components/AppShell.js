/** The frame: title, the role's navigation, the unread badge (live), the user and sign-out. */
import { useRouter } from 'vue-router';
import { t, label } from '../i18n.js';
import { session, signOut } from '../session.js';
import SandboxBanner from './SandboxBanner.js';

export default {
  name: 'AppShell',
  components: { SandboxBanner },
  setup() {
    const router = useRouter();
    const out = async () => {
      await signOut();
      await router.push('/sign-in');
    };
    return { session, t, label, out };
  },
  template: `<div v-if="session.user"><!-- null for a moment when the session ends, before the router leaves -->
    <sandbox-banner />
    <header class="shell-header" role="banner">
      <span class="shell-title">{{ t('app.title') }}</span>
      <nav aria-label="主导航" style="display:flex;gap:4px;flex-wrap:wrap">
        <template v-if="session.user.role === 'center' || session.user.role === 'admin'">
          <router-link to="/intake">{{ t('nav.intake') }}</router-link>
          <router-link to="/list">{{ t('nav.list') }}</router-link>
        </template>
        <router-link v-if="session.user.role === 'unit'" to="/inbox">{{ t('nav.inbox') }}</router-link>
        <router-link v-if="session.user.role === 'supervisor'" to="/list">{{ t('nav.list') }}</router-link>
        <template v-if="session.user.role === 'supervisor' || session.user.role === 'admin'">
          <router-link to="/supervisor" data-test="nav-supervisor">{{ t('supervisor.nav.dashboard') }}</router-link>
          <router-link to="/supervisor/performance">{{ t('supervisor.nav.performance') }}</router-link>
          <router-link to="/supervisor/supervisions">{{ t('supervisor.nav.supervisions') }}</router-link>
          <router-link to="/supervisor/lists">{{ t('supervisor.nav.lists') }}</router-link>
        </template>
        <template v-if="session.user.role === 'admin'"><!-- admin (issue 14) -->
          <router-link to="/admin/units">{{ t('admin.nav.units') }}</router-link>
          <router-link to="/admin/users">{{ t('admin.nav.users') }}</router-link>
          <router-link to="/admin/calendar">{{ t('admin.nav.calendar') }}</router-link>
          <router-link to="/admin/profile">{{ t('admin.nav.profile') }}</router-link>
          <router-link to="/admin/phone-reveals">{{ t('admin.nav.phoneReveals') }}</router-link>
        </template>
        <router-link to="/password">{{ t('nav.password') }}</router-link>
      </nav>
      <span class="shell-spacer"></span>
      <span v-if="session.user.role !== 'admin'" data-test="unread" :aria-label="t('app.unread') + ' ' + session.unread">
        <el-badge :value="session.unread" :hidden="!session.unread" :max="99">
          <span>{{ t('app.unread') }}</span>
        </el-badge>
        <span class="sr-only" data-test="unread-count">{{ session.unread }}</span>
      </span>
      <span data-test="who">{{ session.user.unitName || session.user.name }}（{{ label('roles', session.user.role) }}）</span>
      <el-button size="small" @click="out" data-test="sign-out">{{ t('app.signOut') }}</el-button>
    </header>
    <main class="shell-main"><router-view /></main>
  </div>`,
};
