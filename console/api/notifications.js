/** /notifications: the user's own, the unread count for the badge, marking read. */
import { query, request } from './http.js';

export const listNotifications = (params) => request('GET', `/notifications${query(params)}`);
export const unreadCount = async () => (await request('GET', '/notifications?unread=true&pageSize=1')).total;
export const markRead = (id) => request('POST', `/notifications/${encodeURIComponent(id)}/read`);
