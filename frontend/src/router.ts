import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { client, whenSignedOut } from '@/lib/client'
import { signIn, useSession } from '@/lib/session'
import { MeDocument } from '@/features/auth/documents'

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/features/auth/LoginPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('@/features/dashboard/DashboardPage.vue') },
      { path: 'messages', name: 'messages', component: () => import('@/features/messages/MessagesPage.vue') },
      { path: 'messages/:id(\\d+)', name: 'message', component: () => import('@/features/messages/MessageDetailPage.vue'), props: (r) => ({ id: Number(r.params.id) }) },
      { path: 'inbox', name: 'inbox', component: () => import('@/features/inbox/InboxPage.vue') },
      { path: 'tasks', name: 'tasks', component: () => import('@/features/tasks/TasksPage.vue') },
      { path: 'tasks/:id(\\d+)', name: 'task', component: () => import('@/features/tasks/TaskDetailPage.vue'), props: (r) => ({ id: Number(r.params.id) }) },
      { path: 'templates', name: 'templates', component: () => import('@/features/templates/TemplatesPage.vue') },
      { path: 'templates/:id(\\d+)', name: 'template', component: () => import('@/features/templates/TemplateDetailPage.vue'), props: (r) => ({ id: Number(r.params.id) }) },
      { path: 'channels', name: 'channels', component: () => import('@/features/channels/ChannelsPage.vue') },
      { path: 'cron', name: 'cron', component: () => import('@/features/cron/CronPage.vue') },
      { path: 'api-keys', name: 'apiKeys', component: () => import('@/features/apikeys/ApiKeysPage.vue') },
      { path: 'users', name: 'users', component: () => import('@/features/users/UsersPage.vue'), meta: { admin: true } },
      { path: 'audit', name: 'audit', component: () => import('@/features/audit/AuditPage.vue'), meta: { admin: true } },
      { path: 'settings', name: 'settings', component: () => import('@/features/settings/SettingsPage.vue') },
      { path: ':rest(.*)*', name: 'notFound', component: () => import('@/layouts/NotFoundPage.vue') },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(), routes })

whenSignedOut(() => void router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath } }))

router.beforeEach(async (to) => {
  const session = useSession()
  if (to.meta.public) return true
  if (!session.user.value) {
    // The session is an HttpOnly cookie the page cannot see: ask the API who it belongs to.
    const result = await client.query(MeDocument, {}, { requestPolicy: 'network-only' }).toPromise()
    if (!result.data) return { name: 'login', query: { next: to.fullPath } }
    signIn(result.data.me)
  }
  // Until an imported account has chosen a new password, the API refuses everything else.
  if (session.user.value?.mustChangePassword && to.name !== 'settings') return { name: 'settings' }
  if (to.meta.admin && !session.isAdmin.value) return { name: 'dashboard' }
  return true
})
