/**
 * A live countdown to a deadline, by the service's clock: green, amber within 4 hours, red when
 * missed, and always in words too (剩余 / 已超期 / 暂定), so colour is never the only signal.
 */
import { computed } from 'vue';
import { formatDuration, formatTime } from '../format.js';
import { t } from '../i18n.js';
import { serverNow, session } from '../session.js';

export default {
  name: 'Countdown',
  props: { deadline: String, overdue: Boolean, provisional: Boolean, done: Boolean },
  setup(props) {
    const state = computed(() => {
      void session.tick;
      if (!props.deadline) return { cls: '', text: t('countdown.none') };
      const left = new Date(props.deadline).getTime() - serverNow();
      if (left <= 0 || props.overdue) {
        return { cls: 'late', text: `${t('countdown.overdue')} ${left < 0 ? formatDuration(-left) : ''}`.trim() };
      }
      return { cls: left < 4 * 3600_000 ? 'soon' : 'ok', text: `${t('countdown.remaining')} ${formatDuration(left)}` };
    });
    return { state, t, title: computed(() => formatTime(props.deadline)) };
  },
  template: `<span class="countdown" :class="state.cls" :title="title" data-test="countdown">
    <span v-if="state.cls === 'late'" aria-hidden="true">⚠ </span>{{ state.text }}<el-tag v-if="provisional" size="small" type="info" style="margin-left:4px" data-test="provisional">{{ t('countdown.provisional') }}</el-tag>
  </span>`,
};
