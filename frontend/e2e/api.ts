import type { APIRequestContext, Page } from '@playwright/test'

export const ADMIN = { username: 'admin', password: 'e2e-admin-password-1' }

/** A GraphQL call as a given bearer (JWT or API key); throws with the API's words on errors. */
export async function gql<T = Record<string, unknown>>(
  request: APIRequestContext,
  bearer: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await request.post('/graphql', {
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    data: { query, variables },
  })
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] }
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '))
  return body.data as T
}

export async function adminToken(request: APIRequestContext): Promise<string> {
  const data = await gql<{ login: { token: string } }>(
    request,
    '',
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
    { u: ADMIN.username, p: ADMIN.password },
  )
  return data.login.token
}

/** Signs in through the login form, as a person would. */
export async function signInThroughForm(page: Page): Promise<void> {
  await page.goto('/login')
  await page.locator('#username').fill(ADMIN.username)
  await page.locator('#password').fill(ADMIN.password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

/** A unique suffix so tests never collide on names within one server. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`
}
