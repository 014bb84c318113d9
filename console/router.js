/**
 * Routes per role, and the guard that checks the role before a view loads (a unit never gets
 * the center's views; the API refuses other units' work orders anyway).
 */
import { createRouter, createWebHashHistory } from 'vue-router';
import AppShell from './components/AppShell.js';
import { homeOf, loadSession, session } from './session.js';
import SignIn from './views/SignIn.js';
import ChangePassword from './views/ChangePassword.js';
import Intake from './views/center/Intake.js';
import WorkList from './views/center/WorkList.js';
import Inbox from './views/unit/Inbox.js';
import WorkOrderPage from './views/workorder/WorkOrderPage.js';
import { adminRoutes } from './views/admin/routes.js';
// The supervisor's screens (issue 14) load when first opened: ECharts (~1 MB) never reaches a
// unit clerk's phone.
const SupervisorDashboard = () => import('./views/supervisor/Dashboard.js');
const SupervisorPerformance = () => import('./views/supervisor/Performance.js');
const SupervisorSupervisions = () => import('./views/supervisor/Supervisions.js');
const SupervisorMonthLists = () => import('./views/supervisor/MonthLists.js');

const everyone = ['center', 'unit', 'supervisor', 'admin'];
const supervisorRoles = ['supervisor', 'admin'];

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/sign-in', component: SignIn, meta: { public: true } },
    {
      path: '/',
      component: AppShell,
      children: [
        { path: '', redirect: () => homeOf(session.user?.role) },
        { path: 'intake', component: Intake, meta: { roles: ['center', 'admin'] } },
        { path: 'list', component: WorkList, meta: { roles: ['center', 'admin', 'supervisor'] } },
        { path: 'inbox', component: Inbox, meta: { roles: ['unit'] } },
        { path: 'tickets/:id', component: WorkOrderPage, meta: { roles: everyone } },
        { path: 'password', component: ChangePassword, meta: { roles: everyone } },
        // The supervisor's screens (issue 14): supervisors, and admins who may read the reports.
        { path: 'supervisor', component: SupervisorDashboard, meta: { roles: supervisorRoles } },
        { path: 'supervisor/performance', component: SupervisorPerformance, meta: { roles: supervisorRoles } },
        { path: 'supervisor/supervisions', component: SupervisorSupervisions, meta: { roles: supervisorRoles } },
        { path: 'supervisor/lists', component: SupervisorMonthLists, meta: { roles: supervisorRoles } },
        ...adminRoutes, // admin (issue 14): admins only; anyone else is sent home by the guard below
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});

router.beforeEach(async (to) => {
  if (!session.checked) await loadSession();
  if (to.meta.public) return session.user && to.path === '/sign-in' ? homeOf(session.user.role) : true;
  if (!session.user) return { path: '/sign-in', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  const roles = to.matched.map((r) => r.meta.roles).filter(Boolean).at(-1);
  if (roles && !roles.includes(session.user.role)) return homeOf(session.user.role);
  return true;
});
