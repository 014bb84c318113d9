/** /admin: units, users and tokens, the calendar, the SLA profile, the phone-reveal record, the sandbox clock. */
import { query, request } from './http.js';

const seg = encodeURIComponent;

// Units (the tree itself comes from GET /units, which shows admins the webhook too).
export const createUnit = (unit) => request('POST', '/admin/units', unit);
export const updateUnit = (id, patch) => request('PATCH', `/admin/units/${seg(id)}`, patch);

// Users and tokens
export const listUsers = (filter = {}) => request('GET', `/admin/users${query(filter)}`);
export const createUser = (user) => request('POST', '/admin/users', user);
export const updateUser = (id, patch) => request('PATCH', `/admin/users/${seg(id)}`, patch);
export const setPassword = (id, password) => request('PUT', `/admin/users/${seg(id)}/password`, { password });
export const listTokens = (id) => request('GET', `/admin/users/${seg(id)}/tokens`);
export const issueToken = (id, label) => request('POST', `/admin/users/${seg(id)}/tokens`, { label });
export const revokeToken = (id, tokenId) => request('DELETE', `/admin/users/${seg(id)}/tokens/${seg(tokenId)}`);

// Calendar
export const calendarStatus = () => request('GET', '/calendar/status');
export const calendarSettings = () => request('GET', '/admin/calendar');
export const calendarYears = () => request('GET', '/admin/calendar/years');
export const calendarYear = (year) => request('GET', `/admin/calendar/years/${seg(year)}`);
export const previewYear = (year, text) => request('POST', `/admin/calendar/years/${seg(year)}/preview`, { format: 'notice', text });
export const importYear = (year, text, replace) => request('PUT', `/admin/calendar/years/${seg(year)}`, { format: 'notice', text, replace });
export const putException = (date, kind, note) => request('PUT', `/admin/calendar/exceptions/${seg(date)}`, { kind, ...(note ? { note } : {}) });
export const deleteException = (date) => request('DELETE', `/admin/calendar/exceptions/${seg(date)}`);
export const saveOfficeHours = (officeHours) => request('PUT', '/admin/calendar/office-hours', { officeHours });

// SLA profile
export const shippedProfiles = () => request('GET', '/admin/profiles');
export const activeProfile = () => request('GET', '/admin/profile');
export const saveProfile = (profileId, overrides) => request('PUT', '/admin/profile', { profileId, overrides });

// Phone reveals
export const phoneReveals = (filter) => request('GET', `/admin/phone-reveals${query(filter)}`);

// Sandbox clock
export const advanceClock = (body) => request('POST', '/admin/clock/advance', body);
