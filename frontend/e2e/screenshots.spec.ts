import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { APIRequestContext, TestInfo } from '@playwright/test'
import { expect, test } from './fixtures'
import { adminToken, ADMIN, gql, signInThroughForm, unique } from './api'

// Screenshots of the main pages at 1440×900, light and dark, kept as CI artifacts
// (frontend/e2e/artifacts/screenshots/, named in the README). Real data is sent first so no page is empty.
const SHOTS = join(import.meta.dirname, 'artifacts', 'screenshots')

interface Seeded { task: number; template: number; message: number }

const pages = (ids: Seeded): { name: string; path: string; ready: string }[] => [
  { name: 'dashboard', path: '/', ready: 'today-cards' },
  { name: 'send-log', path: '/messages', ready: 'message-row' },
  { name: 'message', path: `/messages/${ids.message}`, ready: 'delivery-row' },
  { name: 'inbox', path: '/inbox', ready: 'inbox-item' },
  { name: 'tasks', path: '/tasks', ready: 'task-row' },
  { name: 'task', path: `/tasks/${ids.task}`, ready: 'binding-row' },
  { name: 'templates', path: '/templates', ready: 'template-row' },
  { name: 'template', path: `/templates/${ids.template}`, ready: 'template-preview' },
  { name: 'channels', path: '/channels', ready: 'channel-row' },
  { name: 'cron', path: '/cron', ready: 'cron-row' },
  { name: 'api-keys', path: '/api-keys', ready: 'apikey-row' },
  { name: 'users', path: '/users', ready: 'user-row' },
  { name: 'audit', path: '/audit', ready: 'audit-row' },
  { name: 'settings', path: '/settings', ready: 'change-password' },
]

async function seed(request: APIRequestContext, info: TestInfo): Promise<Seeded> {
  // Readable names for the pictures; a retry (same server) needs fresh ones, as names are unique.
  const named = (name: string) => (info.retry ? unique(name) : name)
  const token = await adminToken(request)
  const sink = process.env.E2E_SINK_URL
  const create = async (name: string, type: string, config: Record<string, unknown>) =>
    (await gql<{ createChannel: { id: number } }>(request, token, 'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }', { i: { name, type, config } })).createChannel.id
  const ok = await create(named('Ops webhook'), 'webhook', { url: `${sink}/hook` })
  const refusing = await create(named('Legacy CRM'), 'webhook', { url: `${sink}/reject` })
  const inbox = await create(named('Team inbox'), 'inbox', {})
  const task = (await gql<{ createTask: { id: number } }>(request, token, 'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
    i: {
      name: named('Release notices'),
      description: 'Deploys and rollbacks of the public API',
      bindings: [
        { channelId: ok },
        { channelId: refusing },
        { channelId: inbox, format: 'MARKDOWN', options: { usernames: [ADMIN.username] } },
      ],
    },
  })).createTask.id
  const template = await gql<{ createTemplate: { id: number } }>(request, token, 'mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }', {
    i: {
      name: named('Order shipped'),
      title: 'Order {{order}} shipped',
      textBody: 'Hi {{name}}, your order {{order}} is on its way.',
      placeholders: [{ key: 'name', label: 'Customer', default: 'there' }, { key: 'order', label: 'Order number' }],
      bindings: [{ channelId: ok }],
    },
  })
  await gql(request, token, 'mutation($i: CreateCronJobInput!) { createCronJob(input: $i) { id } }', {
    i: { name: named('Daily digest'), expression: '0 9 * * 1-5', taskId: task, timezone: 'Asia/Shanghai', payload: { title: 'Daily digest', text: 'Yesterday: all green' } },
  })
  await gql(request, token, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
    i: { username: named('operator'), password: 'operator-password-1', role: 'MEMBER' },
  })
  await gql(request, token, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', { i: { name: 'CI pipeline', scope: 'TASK', taskId: task } })
  let message = 0
  for (const [title, text] of [
    ['Deploy finished', 'api v42 is live on **prod**'],
    ['Rollback', 'web v17 rolled back after error spike'],
    ['Certificate renewal', 'pushnest.example.com renews in 14 days'],
  ]) {
    const sent = await gql<{ sendMessage: { message: { id: number } } }>(request, token, 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }', { i: { taskId: task, title, text, markdown: text } })
    message = sent.sendMessage.message.id
  }
  return { task, template: template.createTemplate.id, message }
}

test('screenshots of the main pages in light and dark', async ({ page, request }, info) => {
  test.setTimeout(180_000)
  mkdirSync(SHOTS, { recursive: true })
  const ids = await seed(request, info)
  await signInThroughForm(page)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    for (const target of pages(ids)) {
      await page.goto(target.path)
      await expect(page.getByTestId(target.ready).first()).toBeVisible()
      await expect(page.locator('html')).toHaveClass(scheme === 'dark' ? /dark/ : /^(?!.*dark)/)
      await page.waitForLoadState('networkidle').catch(() => undefined)
      await expect(page.getByTestId('error'), `${target.path} shows no API error`).toHaveCount(0)
      await page.screenshot({ path: join(SHOTS, `${target.name}-${scheme}.png`) })
    }
  }
})
