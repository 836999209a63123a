import { expect, test, type Page } from '@playwright/test'
import { adminToken, gql, signInThroughForm, unique } from './api'

const PASSWORD = 'member-password-1'

async function member(request: Parameters<typeof gql>[0], token: string): Promise<string> {
  const username = unique('m').replace(/-/g, '_')
  await gql(request, token, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username, password: PASSWORD } })
  return username
}

async function signInAs(page: Page, username: string): Promise<void> {
  await page.goto('/login')
  await page.locator('#username').fill(username)
  await page.locator('#password').fill(PASSWORD)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

async function setGroups(page: Page, username: string, text: string, shown: string): Promise<void> {
  const field = page.locator(`[data-testid="user-row"][data-username="${username}"]`).getByTestId('user-groups')
  await field.fill(text)
  await field.press('Enter')
  await expect(field).toHaveValue(shown)
}

// A member's in-site messages reach only users who share a group with them: an admin puts two
// members in one on the users page, and the receiver's inbox names who sent the message and with
// which API key.
test('groups set on the users page let a member reach a peer, whose inbox shows the sender', async ({ page, request }) => {
  const token = await adminToken(request)
  const alice = await member(request, token)
  const bob = await member(request, token)

  await signInThroughForm(page)
  await page.goto('/users')
  await setGroups(page, alice, 'Ops, dev', 'dev, ops')
  await setGroups(page, bob, 'ops', 'ops')
  await page.reload()
  await expect(page.locator(`[data-testid="user-row"][data-username="${alice}"]`).getByTestId('user-groups')).toHaveValue('dev, ops')

  const aliceToken = (await gql<{ login: { token: string } }>(request, '',
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: alice, p: PASSWORD })).login.token
  const channel = await gql<{ createChannel: { id: number } }>(request, aliceToken,
    'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }', { i: { name: unique('inbox'), type: 'inbox', config: {} } })
  const task = await gql<{ createTask: { id: number } }>(request, aliceToken,
    'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
    { i: { name: unique('notify-bob'), bindings: [{ channelId: channel.createChannel.id, options: { usernames: [bob] } }] } })
  const keyName = unique('deploy-bot')
  const key = await gql<{ createApiKey: { key: string } }>(request, aliceToken,
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', { i: { name: keyName, scope: 'ALL' } })
  await gql(request, key.createApiKey.key, 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }',
    { i: { taskId: task.createTask.id, title: 'Deploy done', text: 'v2 is live' } })

  await page.context().clearCookies()
  await page.evaluate('localStorage.clear(); sessionStorage.clear()') // signed out, whatever the console keeps
  await signInAs(page, bob)
  await page.goto('/inbox')
  const item = page.getByTestId('inbox-item').filter({ hasText: 'Deploy done' })
  await expect(item.getByTestId('inbox-item-sender')).toHaveText(alice)
  await item.getByTestId('inbox-item-open').click()
  await expect(page.getByTestId('inbox-reader-sender')).toHaveText(`From ${alice} (API key “${keyName}”)`)
})
