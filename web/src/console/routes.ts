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
        path: 'board',
        name: 'console-board',
        component: () => import('./dispatch/BoardView.vue'),
        meta: { title: '工单看板', console: true },
      },
      {
        path: 'sla',
        name: 'console-sla',
        component: () => import('./dispatch/SlaView.vue'),
        meta: { title: '时限与积分规则', console: true },
      },
      {
        path: 'registry',
        name: 'console-registry',
        component: () => import('./registry/RegistryView.vue'),
        meta: { title: '基础台账', console: true },
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
        path: 'spaces',
        name: 'console-spaces',
        component: () => import('./spaces/SpacesConsole.vue'),
        meta: { title: '共享空间', console: true },
      },
      {
        path: 'property',
        name: 'console-property',
        component: () => import('./property/PropertyConsole.vue'),
        meta: { title: '物业履约与信用', console: true },
      },
      {
        path: 'emergency',
        name: 'console-emergency',
        component: () => import('./practices-d/EmergencyConsole.vue'),
        meta: { title: '应急动员', console: true },
      },
      {
        path: 'volunteers',
        name: 'console-volunteers',
        component: () => import('./practices-d/VolunteersConsole.vue'),
        meta: { title: '特长户与服务岗位', console: true },
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
