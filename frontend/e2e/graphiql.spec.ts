import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { adminToken, signInThroughForm } from './api'

// GraphiQL is served from the console's own build: with every request to anywhere but this
// server aborted, the page loads, runs a query and streams a subscription over our WebSocket.
// The fixtures also fail the test on any Content-Security-Policy violation (GraphiQL has its own).

async function offline(page: Page): Promise<string[]> {
  const outside: string[] = []
  await page.context().route('**/*', async (route) => {
    const { hostname } = new URL(route.request().url())
    if (hostname === '127.0.0.1' || hostname === 'localhost') return route.continue()
    outside.push(route.request().url())
    return route.abort('internetdisconnected')
  })
  return outside
}

/** Replaces the text of one of GraphiQL's Monaco editors (typing would auto-close brackets). */
async function fill(page: Page, editor: string, text: string): Promise<void> {
  await page.locator(editor).click()
  await page.keyboard.press('ControlOrMeta+KeyA')
  await page.keyboard.press('Delete')
  await page.keyboard.insertText(text)
}

async function run(page: Page): Promise<void> {
  await page.locator('.graphiql-execute-button').click()
}

const result = (page: Page) => page.locator('.result-window')
const QUERY = '.graphiql-query-editor .monaco-editor'
const HEADERS = '.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]'

test('GraphiQL loads with the network blocked and runs a query with the Authorization header', async ({ page, request }) => {
  const outside = await offline(page)
  const token = await adminToken(request)
  await page.goto('/graphql')
  await expect(page.locator('.graphiql-container')).toBeVisible()
  await expect(page.locator(QUERY)).toBeVisible()

  await fill(page, QUERY, 'query Me { me { username role } }')
  await fill(page, HEADERS, `{"Authorization": "Bearer ${token}"}`)
  await run(page)
  await expect(result(page)).toContainText('"username": "admin"')
  await expect(result(page)).toContainText('"role": "ADMIN"')
  expect(outside, 'no request left this server').toEqual([])
})

test('GraphiQL streams a subscription over graphql-transport-ws with the console session', async ({ page }) => {
  const outside = await offline(page)
  await signInThroughForm(page) // no header typed: the session cookie signs the socket in
  await page.goto('/graphql')
  await expect(page.locator(QUERY)).toBeVisible()

  await fill(page, QUERY, 'subscription Inbox { inbox { kind unreadCount } }')
  await run(page)
  await expect(result(page)).toContainText('"kind": "snapshot"')
  await expect(result(page)).toContainText('"unreadCount"')
  expect(outside, 'no request left this server').toEqual([])
})
