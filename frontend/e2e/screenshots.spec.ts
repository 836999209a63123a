import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type APIRequestContext } from '@playwright/test'
import { adminToken, ADMIN, gql, signInThroughForm, unique } from './api'

// Screenshots of the main pages at 1440×900, light and dark, kept as CI artifacts
// (frontend/e2e/artifacts/screenshots/, named in the README). Real data is sent first so no page is empty.
const SHOTS = join(import.meta.dirname, 'artifacts', 'screenshots')

const PAGES: { name: string; path: string; ready: string }[] = [
  { name: 'dashboard', path: '/', ready: 'today-cards' },
  { name: 'send-log', path: '/messages', ready: 'message-row' },
  { name: 'inbox', path: '/inbox', ready: 'inbox-item' },
  { name: 'tasks', path: '/tasks', ready: 'task-row' },
  { name: 'templates', path: '/templates', ready: 'template-row' },
  { name: 'channels', path: '/channels', ready: 'channel-row' },
  { name: 'cron', path: '/cron', ready: 'cron-row' },
  { name: 'api-keys', path: '/api-keys', ready: 'apikey-row' },
  { name: 'users', path: '/users', ready: 'user-row' },
  { name: 'audit', path: '/audit', ready: 'audit-row' },
  { name: 'settings', path: '/settings', ready: 'change-password' },
]

async function seed(request: APIRequestContext): Promise<number> {
  const token = await adminToken(request)
  const sink = process.env.E2E_SINK_URL
  const create = async (name: string, type: string, config: Record<string, unknown>) =>
    (await gql<{ createChannel: { id: number } }>(request, token, 'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }', { i: { name, type, config } })).createChannel.id
  const ok = await create(unique('Ops webhook'), 'webhook', { url: `${sink}/hook` })
  const refusing = await create(unique('Legacy CRM'), 'webhook', { url: `${sink}/reject` })
  const inbox = await create(unique('Team inbox'), 'inbox', {})
  const task = (await gql<{ createTask: { id: number } }>(request, token, 'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
    i: {
      name: unique('Release notices'),
      description: 'Deploys and rollbacks of the public API',
      bindings: [
        { channelId: ok },
        { channelId: refusing },
        { channelId: inbox, format: 'MARKDOWN', options: { usernames: [ADMIN.username] } },
      ],
    },
  })).createTask.id
  await gql(request, token, 'mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }', {
    i: {
      name: unique('Order shipped'),
      title: 'Order {{order}} shipped',
      textBody: 'Hi {{name}}, your order {{order}} is on its way.',
      placeholders: [{ key: 'name', label: 'Customer', default: 'there' }, { key: 'order', label: 'Order number' }],
      bindings: [{ channelId: ok }],
    },
  })
  await gql(request, token, 'mutation($i: CreateCronJobInput!) { createCronJob(input: $i) { id } }', {
    i: { name: unique('Daily digest'), expression: '0 9 * * 1-5', taskId: task, timezone: 'Asia/Shanghai', payload: { title: 'Daily digest', text: 'Yesterday: all green' } },
  })
  await gql(request, token, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
    i: { username: unique('operator'), password: 'operator-password-1', role: 'MEMBER' },
  })
  await gql(request, token, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', { i: { name: 'CI pipeline', scope: 'TASK', taskId: task } })
  for (const [title, text] of [
    ['Deploy finished', 'api v42 is live on **prod**'],
    ['Rollback', 'web v17 rolled back after error spike'],
    ['Certificate renewal', 'pushnest.example.com renews in 14 days'],
  ]) {
    await gql(request, token, 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }', { i: { taskId: task, title, text, markdown: text } })
  }
  return task
}

test('screenshots of the main pages in light and dark', async ({ page, request }) => {
  test.setTimeout(180_000)
  mkdirSync(SHOTS, { recursive: true })
  await seed(request)
  await signInThroughForm(page)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    for (const target of PAGES) {
      await page.goto(target.path)
      await expect(page.getByTestId(target.ready).first()).toBeVisible()
      await expect(page.locator('html')).toHaveClass(scheme === 'dark' ? /dark/ : /^(?!.*dark)/)
      await page.waitForLoadState('networkidle').catch(() => undefined)
      await page.screenshot({ path: join(SHOTS, `${target.name}-${scheme}.png`) })
    }
  }
})
