/** One formatter for times people read: Asia/Shanghai (+08:00), 24-hour. */
import { t } from './i18n.js';

const formatter = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

export function formatTime(iso) {
  if (!iso) return '—';
  return `${formatter.format(new Date(iso))}`;
}

/** "2 天 3 小时" / "45 分钟" for a positive duration in ms. */
export function formatDuration(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return t('countdown.lessThanMinute');
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days) return `${days} ${t('countdown.days')} ${hours} ${t('countdown.hours')}`;
  if (hours) return `${hours} ${t('countdown.hours')} ${mins} ${t('countdown.minutes')}`;
  return `${mins} ${t('countdown.minutes')}`;
}

/** A fresh key for Idempotency-Key headers (a retried submit is applied once). */
export const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);
