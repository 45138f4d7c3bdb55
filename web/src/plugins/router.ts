// Pages load on demand: the first page does not carry the editor or the other pages.
import { createRouter, createWebHistory } from 'vue-router'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/manage' },
    { path: '/manage', name: 'manage', component: () => import('@/pages/ManagePage.vue'), meta: { title: 'DeltaLake Manage' } },
    { path: '/analysis', name: 'analysis', component: () => import('@/pages/AnalysisPage.vue'), meta: { title: 'DuckDB Analysis' } },
    { path: '/settings', name: 'settings', component: () => import('@/pages/SettingsPage.vue'), meta: { title: 'Settings' } },
    { path: '/:rest(.*)*', redirect: '/manage' },
  ],
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title as string} · DeltaDuck` : 'DeltaDuck'
})
