import { expect, test } from './fixtures'
import { ADMIN } from './api'

// The same build served by a second `pushnest serve` with PUSHNEST_PATH_PREFIX=/pushnest
// (playwright.config.ts): assets, client routes, the API, its WebSocket and the cookie all live below it.
const root = process.env.PUSHNEST_E2E_PREFIX_URL ?? 'http://127.0.0.1:18766/pushnest/'

test('the console works under a path prefix: sign-in, deep links, live socket, session cookie', async ({ page, context }) => {
  const sockets: string[] = []
  page.on('websocket', (socket) => sockets.push(socket.url()))
  await page.goto(root)
  await expect(page).toHaveURL(/\/pushnest\/login/)
  await page.locator('#username').fill(ADMIN.username)
  await page.locator('#password').fill(ADMIN.password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((url) => url.pathname === '/pushnest/')

  const session = (await context.cookies()).find((cookie) => cookie.name === 'pushnest_session')
  expect(session).toMatchObject({ httpOnly: true, path: '/pushnest/graphql' })

  await page.locator('[data-nav="tasks"]').click()
  await expect(page).toHaveURL(/\/pushnest\/tasks$/)
  // A deep link loaded afresh: index.html with its <base>, the assets, the router under the prefix.
  await page.reload()
  await expect(page.locator('[data-nav="tasks"]')).toBeVisible()
  await expect(page).toHaveURL(/\/pushnest\/tasks$/)
  await page.locator('[data-nav="messages"]').click()
  await expect(page).toHaveURL(/\/pushnest\/messages$/)
  await expect.poll(() => sockets.some((url) => url.endsWith('/pushnest/graphql'))).toBe(true)
  expect(sockets.every((url) => url.includes('/pushnest/'))).toBe(true)
})
