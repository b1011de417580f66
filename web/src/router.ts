import { createRouter, createWebHistory } from 'vue-router'
import { useSession } from './stores/session'
import { consoleRoutes } from './console/routes'

// Screens other than the first are loaded when opened, so the first screen stays small.
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { title: '登录', public: true } },
    { path: '/', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: '我的家', tab: true } },
    { path: '/help', name: 'help', component: () => import('./views/HelpView.vue'), meta: { title: '报修求助', tab: true } },
    { path: '/orders', name: 'orders', component: () => import('./views/OrdersView.vue'), meta: { title: '我的工单', tab: true } },
    { path: '/orders/:id', name: 'order', component: () => import('./views/OrderView.vue'), meta: { title: '工单详情' } },
    { path: '/bills', name: 'bills', component: () => import('./views/BillsView.vue'), meta: { title: '我的账单', tab: true } },
    { path: '/votes', name: 'votes', component: () => import('./views/VotesView.vue'), meta: { title: '投票' } },
    { path: '/inbox', name: 'inbox', component: () => import('./views/InboxView.vue'), meta: { title: '我的消息' } },
    { path: '/grid', name: 'tasks', component: () => import('./views/grid/TasksView.vue'), meta: { title: '网格任务' } },
    { path: '/party', name: 'party', component: () => import('./views/party/PartyView.vue'), meta: { title: '党员服务' } },
    { path: '/tasks/:id', name: 'task', component: () => import('./views/work/TaskView.vue'), meta: { title: '任务详情' } },
    { path: '/proposals/:id', name: 'proposal', component: () => import('./views/votes/ProposalView.vue'), meta: { title: '议题进展' } },
    { path: '/votes/:id', name: 'vote', component: () => import('./views/votes/VoteView.vue'), meta: { title: '业主表决' } },
    { path: '/committee-rating', name: 'committee-rating', component: () => import('./views/committee/CommitteeRatingView.vue'), meta: { title: '业委会测评' } },
    { path: '/board', name: 'board', component: () => import('./views/BoardView.vue'), meta: { title: '公示栏' } },
    { path: '/wishes', name: 'wishes', component: () => import('./views/WishesView.vue'), meta: { title: '我的微心愿' } },
    { path: '/party/wishes', name: 'wish-wall', component: () => import('./views/party/WishWallView.vue'), meta: { title: '认领心愿' } },
    { path: '/grid/visits', name: 'visits', component: () => import('./views/grid/VisitsView.vue'), meta: { title: '走访台账' } },
    { path: '/grid/residents', name: 'grid-residents', component: () => import('./views/grid/ResidentsView.vue'), meta: { title: '查找居民' } },
    { path: '/pay/:no', name: 'pay', component: () => import('./views/pay/PayView.vue'), meta: { title: '模拟收银台' } },
    { path: '/receipts/:id', name: 'receipt', component: () => import('./views/pay/ReceiptView.vue'), meta: { title: '电子收据' } },
    { path: '/mediation', name: 'pb-mediation', component: () => import('./views/practices-b/MediationView.vue'), meta: { title: '矛盾纠纷调解' } },
    { path: '/mediation/:id', name: 'pb-mediation-case', component: () => import('./views/practices-b/MediationCaseView.vue'), meta: { title: '调解案件' } },
    { path: '/credit', name: 'credit', component: () => import('./views/practices/CreditView.vue'), meta: { title: '我家积分' } },
    { path: '/spaces', name: 'spaces', component: () => import('./views/practices-c/SpacesView.vue'), meta: { title: '共享空间' } },
    {
      path: '/property-survey',
      name: 'property-survey',
      component: () => import('./views/practices-c/SurveyView.vue'),
      meta: { title: '物业满意度测评' },
    },
    { path: '/care-zone', name: 'care-zone', component: () => import('./views/practices/CareZoneView.vue'), meta: { title: '我的责任区' } },
    { path: '/emergency', name: 'pd-emergency', component: () => import('./views/practices-d/EmergencyCallView.vue'), meta: { title: '应急点名' } },
    { path: '/emergency/:id', name: 'pd-emergency-call', component: () => import('./views/practices-d/EmergencyCallView.vue'), meta: { title: '应急点名' } },
    { path: '/volunteer', name: 'pd-volunteer', component: () => import('./views/practices-d/VolunteerView.vue'), meta: { title: '我的特长' } },
    ...consoleRoutes,
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  const session = useSession()
  if (!to.meta.public && !session.loggedIn) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
  }
  if (to.name === 'login' && session.loggedIn) return { name: 'home' }
  return true
})

router.afterEach((to) => {
  document.title = `${String(to.meta.title ?? '')} · 邻里`
})
