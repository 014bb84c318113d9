/**
 * The sandbox banner (issue 14): while the service runs on the sandbox clock, every signed-in
 * person sees so, with the sandbox time; administrators also get the control to move the clock
 * forward, by a duration or to an instant (POST /admin/clock/advance).
 */
import { computed, ref } from 'vue';
import { advanceClock } from '../api/admin.js';
import { formatTime } from '../format.js';
import { t, zh } from '../i18n.js';
import { refresh, serverNow, session } from '../session.js';

/** `YYYY-MM-DDTHH:mm` in China time, the picker's value (sent with +08:00). */
const chinaLocal = (ms) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);

export default {
  name: 'SandboxBanner',
  setup() {
    const mode = ref('by');
    const by = ref('1d');
    const to = ref('');
    const busy = ref(false);
    const message = ref('');
    const error = ref('');
    const now = computed(() => (session.tick, formatTime(new Date(serverNow()).toISOString())));
    const byOptions = Object.entries(zh.sandbox.byOptions).map(([value, label]) => ({ value, label }));
    const canAdvance = computed(() => session.user?.role === 'admin');
    const advance = async () => {
      message.value = '';
      error.value = '';
      let body;
      if (mode.value === 'by') body = { by: by.value };
      else {
        if (!to.value || Date.parse(`${to.value}:00+08:00`) <= serverNow()) return void (error.value = t('sandbox.toInvalid'));
        body = { to: `${to.value}:00+08:00` };
      }
      busy.value = true;
      try {
        const result = await advanceClock(body);
        message.value = t('sandbox.advanced', { time: formatTime(result.now), steps: result.steps });
        session.offset = Date.parse(result.now) - Date.now(); // the banner's time at once
        refresh(); // the badge and the lists follow
      } catch (e) {
        error.value = e.message;
      } finally {
        busy.value = false;
      }
    };
    const openTo = () => {
      if (!to.value) to.value = chinaLocal(serverNow() + 86_400_000);
    };
    return { session, t, now, mode, by, to, busy, message, error, byOptions, canAdvance, advance, openTo };
  },
  template: `<div v-if="session.sandbox" class="sandbox-banner" role="region" :aria-label="t('sandbox.banner')" data-test="sandbox-banner">
    <strong>{{ t('sandbox.banner') }}</strong>
    <span class="sandbox-explain">{{ t('sandbox.explain') }}</span>
    <span data-test="sandbox-now">{{ t('sandbox.now', { time: now }) }}</span>
    <form v-if="canAdvance" class="sandbox-advance" @submit.prevent="advance" data-test="sandbox-advance">
      <el-radio-group v-model="mode" size="small" :aria-label="t('sandbox.mode')" @change="openTo">
        <el-radio-button value="by" data-test="sandbox-mode-by">{{ t('sandbox.by') }}</el-radio-button>
        <el-radio-button value="to" data-test="sandbox-mode-to">{{ t('sandbox.to') }}</el-radio-button>
      </el-radio-group>
      <el-select v-if="mode === 'by'" v-model="by" size="small" style="width:110px" :aria-label="t('sandbox.by')" data-test="sandbox-by">
        <el-option v-for="o in byOptions" :key="o.value" :value="o.value" :label="o.label" />
      </el-select>
      <el-date-picker v-else v-model="to" type="datetime" size="small" value-format="YYYY-MM-DDTHH:mm" format="YYYY-MM-DD HH:mm"
        :aria-label="t('sandbox.target')" :placeholder="t('sandbox.target')" style="width:180px" id="sandbox-to" />
      <el-button size="small" type="warning" native-type="submit" :loading="busy" data-test="sandbox-advance-submit">{{ t('sandbox.advance') }}</el-button>
    </form>
    <span v-if="busy" role="status">{{ t('sandbox.working') }}</span>
    <span v-if="message" role="status" data-test="sandbox-message">{{ message }}</span>
    <span v-if="error" role="alert" class="sandbox-error" data-test="sandbox-error">{{ error }}</span>
  </div>`,
};
