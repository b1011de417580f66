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
