import { expect, test } from './fixtures'
import { adminToken, gql, signInThroughForm, unique, ADMIN } from './api'

test('an unknown user is refused in words and stays on the login page', async ({ page }) => {
  await page.goto('/')
  await expect(page).toHaveURL(/\/login/)
  await page.locator('#username').fill('nobody')
  await page.locator('#password').fill('wrong-password')
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('error')).toBeVisible()
  await expect(page).toHaveURL(/\/login/)
})

test('signs in, keeps the session across a reload, and switches language', async ({ page }) => {
  await signInThroughForm(page)
  await expect(page.locator('[data-nav="messages"]')).toHaveText(/Send log/)
  await page.reload()
  await expect(page.locator('[data-nav="messages"]')).toHaveText(/Send log/)

  await page.getByTestId('language-menu').click()
  await page.locator('[data-locale="zh"]').click()
  await expect(page.locator('[data-nav="messages"]')).toHaveText(/发送记录/)
  await page.reload()
  await expect(page.locator('[data-nav="messages"]')).toHaveText(/发送记录/)

  await page.getByTestId('language-menu').click()
  await page.locator('[data-locale="en"]').click()
  await expect(page.locator('[data-nav="messages"]')).toHaveText(/Send log/)
})

test('the session is an HttpOnly cookie: no script sees it, Web Storage holds no token, sign-out ends it', async ({ page, context }) => {
  await signInThroughForm(page)
  const session = (await context.cookies()).find((cookie) => cookie.name === 'pushnest_session')
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/graphql' })
  const seen = await page.evaluate(() => ({
    cookie: document.cookie,
    stored: [...Object.entries(localStorage), ...Object.entries(sessionStorage)].map(([key, value]) => `${key}=${value}`),
  }))
  expect(seen.cookie).not.toContain('pushnest_session')
  for (const item of seen.stored) expect(item).not.toMatch(/token|eyJ/i) // only UI state (theme, language)

  await page.getByTestId('user-menu').click()
  await page.getByTestId('sign-out').click()
  await expect(page).toHaveURL(/\/login/)
  expect((await context.cookies()).find((cookie) => cookie.name === 'pushnest_session')).toBeUndefined()
  await page.goto('/channels')
  await expect(page).toHaveURL(/\/login/)
})

test('the console runs under its CSP: an injected inline script does not run, and is reported', async ({ page, cspViolations }) => {
  await page.goto('/login')
  const ran = await page.evaluate(() => {
    const script = document.createElement('script')
    script.textContent = 'window.__inlineRan = true'
    document.head.append(script)
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true
  })
  expect(ran).toBe(false)
  await expect.poll(() => cspViolations.length).toBeGreaterThan(0)
  cspViolations.length = 0 // expected here; the fixture fails a test on any other
})

test('a client-side route survives a full page load (SPA fallback)', async ({ page }) => {
  await signInThroughForm(page)
  await page.goto('/channels')
  await expect(page.locator('[data-nav="channels"]')).toHaveClass(/bg-accent/)
})

test('an in-site message raises the unread badge live, and reading it lowers it', async ({ page, request }) => {
  const token = await adminToken(request)
  const channel = await gql<{ createChannel: { id: number } }>(
    request, token,
    'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }',
    { i: { name: unique('inbox'), type: 'inbox', config: {} } },
  )
  const task = await gql<{ createTask: { id: number } }>(
    request, token,
    'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
    { i: { name: unique('inbox-task'), bindings: [{ channelId: channel.createChannel.id, format: 'MARKDOWN', options: { usernames: [ADMIN.username] } }] } },
  )
  await gql(request, token, 'mutation { markAllInboxRead { unreadCount } }')

  await signInThroughForm(page)
  await expect(page.getByTestId('unread-badge')).toHaveCount(0)

  const key = await gql<{ createApiKey: { key: string } }>(
    request, token,
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }',
    { i: { name: unique('e2e-key'), scope: 'ALL' } },
  )
  await gql(request, key.createApiKey.key,
    'mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }',
    { i: { taskId: task.createTask.id, title: 'Build finished', markdown: '**main** is green' } },
  )
  await expect(page.getByTestId('unread-badge')).toHaveText('1')

  await gql(request, token, 'mutation { markAllInboxRead { unreadCount } }')
  await expect(page.getByTestId('unread-badge')).toHaveCount(0)
})

test('a deactivated user is sent back to the login page at once', async ({ page, request }) => {
  const token = await adminToken(request)
  const username = unique('leaver')
  const password = 'leaver-password-1'
  const created = await gql<{ createUser: { id: number } }>(request, token,
    'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username, password, role: 'MEMBER' } })
  await page.goto('/login')
  await page.locator('#username').fill(username)
  await page.locator('#password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  await page.goto('/inbox')
  await expect(page.getByTestId('inbox-bell')).toBeVisible()

  await gql(request, token, 'mutation($id: Int!) { updateUser(id: $id, input: { isActive: false }) { id } }', { id: created.createUser.id })
  await expect(page).toHaveURL(/\/login/)
})
