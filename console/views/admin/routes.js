/** The administrator's screens (issue 14): admins only (the router's guard sends anyone else home; the API answers them 403). */
import Units from './Units.js';
import Users from './Users.js';
import Calendar from './Calendar.js';
import Profile from './Profile.js';
import PhoneReveals from './PhoneReveals.js';

const admin = { roles: ['admin'] };

export const adminRoutes = [
  { path: 'admin', redirect: '/admin/units', meta: admin },
  { path: 'admin/units', component: Units, meta: admin },
  { path: 'admin/users', component: Users, meta: admin },
  { path: 'admin/calendar', component: Calendar, meta: admin },
  { path: 'admin/profile', component: Profile, meta: admin },
  { path: 'admin/phone-reveals', component: PhoneReveals, meta: admin },
];
