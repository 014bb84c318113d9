/** /auth: sign-in, who am I, sign-out, own password. */
import { request } from './http.js';

export const signIn = (login, password) => request('POST', '/auth/sign-in', { login, password });
export const me = () => request('GET', '/auth/me');
export const signOut = () => request('POST', '/auth/sign-out');
export const changePassword = (currentPassword, newPassword) => request('POST', '/auth/password', { currentPassword, newPassword });
