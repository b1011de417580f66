// The staff console (工作台) at /console/: desktop screens, loaded only when opened, so the
// residents' first screen never carries Element Plus or ECharts.
import type { RouteRecordRaw } from 'vue-router'

export const consoleRoutes: RouteRecordRaw[] = [
  {
    path: '/console',
    component: () => import('./ConsoleLayout.vue'),
    children: [
      {
        path: '',
        name: 'console-dashboard',
        component: () => import('./DashboardView.vue'),
        meta: { title: '治理看板', console: true },
      },
      {
        path: 'mediation',
        name: 'console-pb-mediation',
        component: () => import('./practices-b/MediationConsole.vue'),
        meta: { title: '矛盾纠纷调解台账', console: true },
      },
      {
        path: 'billing',
        name: 'console-billing',
        component: () => import('./billing/BillingView.vue'),
        meta: { title: '收费工作台', console: true },
      },
      {
        path: 'deliberation',
        name: 'console-deliberation',
        component: () => import('./deliberation/CommitteeDesk.vue'),
        meta: { title: '议事工作台', console: true },
      },
      {
        path: 'lists',
        name: 'console-lists',
        component: () => import('./dispatch/ListsView.vue'),
        meta: { title: '红黑榜', console: true },
      },
      {
        path: 'receipts/:id',
        name: 'console-receipt',
        component: () => import('./billing/ReceiptView.vue'),
        meta: { title: '收据', console: true },
      },
      {
        path: 'credit',
        name: 'console-credit',
        component: () => import('./practices/CreditConsole.vue'),
        meta: { title: '住户积分', console: true },
      },
      {
        path: 'care-zones',
        name: 'console-care-zones',
        component: () => import('./practices/CareZonesConsole.vue'),
        meta: { title: '责任区', console: true },
      },
    ],
  },
]
