import { expect, test } from './fixtures'
import { adminToken, gql, signInThroughForm, unique } from './api'

// An admin accepts a task's Message Nest token on its page: the console warns that it is guessable,
// shows it, and the API panel's REST calls (seven languages) switch from an API key to the token
// alone; the call shown then works as Message Nest's callers make it.
test('the Message Nest token switch and the REST calls in the API panel', async ({ page, request }) => {
  const token = await adminToken(request)
  const channel = await gql<{ createChannel: { id: number } }>(request, token,
    'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }',
    { i: { name: unique('hook'), type: 'webhook', config: { url: `${process.env.E2E_SINK_URL}/hook` } } })
  const task = await gql<{ createTask: { id: number } }>(request, token,
    'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
    { i: { name: unique('mn-task'), bindings: [{ channelId: channel.createChannel.id }] } })
  const taskId = task.createTask.id

  await signInThroughForm(page)
  await page.goto(`/tasks/${taskId}`)
  const panel = page.getByTestId('api-panel')
  const toggle = panel.getByTestId('legacy-token-switch')
  await expect(toggle).toHaveAttribute('data-state', 'unchecked')
  await expect(panel.getByTestId('legacy-token-warning')).toHaveCount(0)

  await panel.locator('[data-testid="api-protocol"][data-protocol="rest"]').click()
  await expect(panel.getByTestId('api-rest-lang')).toHaveCount(7)
  const curl = panel.locator('[data-testid="api-rest-example"][data-lang="curl"]')
  await expect(curl).toContainText('/api/v1/message/send')
  await expect(curl).toContainText(`"task_id": "${taskId}"`)
  await expect(curl).toContainText('Authorization: Bearer $PUSHNEST_API_KEY')

  await toggle.click()
  await expect(toggle).toHaveAttribute('data-state', 'checked')
  const warning = panel.getByTestId('legacy-token-warning')
  await expect(warning).toContainText('guessable')
  const legacy = (await warning.getByTestId('legacy-token-value').textContent())?.trim() ?? ''
  expect(legacy).toMatch(/^[0-9a-f]+$/)
  await expect(curl).toContainText(`"token": "${legacy}"`)
  await expect(curl).not.toContainText('Authorization')
  for (const lang of ['python', 'javascript', 'go', 'java', 'php', 'shell']) {
    await panel.locator(`[data-testid="api-rest-lang"][data-lang="${lang}"]`).click()
    await expect(panel.locator(`[data-testid="api-rest-example"][data-lang="${lang}"]`)).toContainText(legacy)
  }

  // The call as shown, with the token alone, is accepted as Message Nest accepted it.
  const response = await request.post('/api/v1/message/send', { data: { token: legacy, title: 'Deploy finished', text: 'from the panel' } })
  expect(response.status()).toBe(200)
  expect(await response.json()).toMatchObject({ code: 200, msg: '提交成功！' })
  await expect
    .poll(async () => JSON.stringify(await (await request.get(`${process.env.E2E_SINK_URL}/received`)).json()))
    .toContain('from the panel')

  // Switched off again (audited in the API): the same call is refused.
  await toggle.click()
  await expect(toggle).toHaveAttribute('data-state', 'unchecked')
  await expect(panel.getByTestId('legacy-token-warning')).toHaveCount(0)
  const refused = await request.post('/api/v1/message/send', { data: { token: legacy, text: 'again' } })
  expect(refused.status()).toBe(401)
})

// An inbox binding that asked for a public link: the reader shows it, anyone can open it, and the
// recipient revokes it for good.
test('an inbox item shows its public preview link and revokes it', async ({ page, request }) => {
  const token = await adminToken(request)
  const inbox = await gql<{ createChannel: { id: number } }>(request, token,
    'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }',
    { i: { name: unique('inbox'), type: 'inbox', config: {} } })
  const binding = { channelId: inbox.createChannel.id, format: 'MARKDOWN', options: { usernames: ['admin'], public_preview: true } }
  const task = await gql<{ createTask: { id: number } }>(request, token,
    'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', { i: { name: unique('public'), bindings: [binding] } })
  const title = unique('Shared report')
  await gql(request, token, 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }',
    { i: { taskId: task.createTask.id, title, markdown: '**numbers** are up', sync: true } })

  await signInThroughForm(page)
  await page.goto('/inbox')
  await page.getByTestId('inbox-item').filter({ hasText: title }).getByTestId('inbox-item-open').click()
  const url = (await page.getByTestId('inbox-preview-url').textContent())?.trim() ?? ''
  expect(url).toMatch(/\/preview\/[\w-]{43}$/)
  const shared = await request.get(url, { headers: { authorization: '' } })
  expect(shared.status()).toBe(200)
  expect(await shared.text()).toContain('<strong>numbers</strong>')

  await page.getByTestId('inbox-preview-revoke').click()
  await page.getByTestId('confirm').click()
  await expect(page.getByTestId('inbox-preview')).toHaveCount(0)
  expect((await request.get(url)).status()).toBe(404)
})
