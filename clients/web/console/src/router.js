import { createRouter, createWebHashHistory } from 'vue-router';
import { session, restore, homeRoute } from './session.js';
import { onUnauthenticated } from './api.js';
import LoginView from './views/LoginView.vue';
import SchoolView from './views/SchoolView.vue';
import CountyView from './views/CountyView.vue';
import InspectPickView from './views/InspectPickView.vue';
import ProvinceView from './views/ProvinceView.vue';
import AuditView from './views/AuditView.vue';
import NoRoleView from './views/NoRoleView.vue';

// Hash routing: the token never appears in a URL, and junheng-web only has to
// serve index.html at "/".
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', name: 'home', component: { render: () => null } },
    { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
    { path: '/school/:county(\\d{6})/:school(\\d{10})', name: 'school', component: SchoolView },
    { path: '/county/:county(\\d{6})', name: 'county', component: CountyView, props: { mode: 'county' } },
    { path: '/inspect', name: 'inspect-pick', component: InspectPickView },
    { path: '/inspect/:county(\\d{6})', name: 'inspect', component: CountyView, props: { mode: 'inspector' } },
    { path: '/province/:province(\\d{2})', name: 'province', component: ProvinceView },
    {
      path: '/province/:province(\\d{2})/counties/:county(\\d{6})',
      name: 'province-county',
      component: CountyView,
      props: { mode: 'province' },
    },
    { path: '/audit', name: 'audit', component: AuditView },
    { path: '/no-role', name: 'no-role', component: NoRoleView },
    { path: '/:rest(.*)', redirect: '/' },
  ],
});

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (!session.me) {
    try {
      await restore();
    } catch {
      /* the login page says why */
    }
  }
  if (!session.me) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.name === 'home') return homeRoute(session.me);
  return true;
});

onUnauthenticated(() => {
  session.me = null;
  if (router.currentRoute.value.name !== 'login') {
    router.replace({ name: 'login', query: { expired: '1' } });
  }
});
