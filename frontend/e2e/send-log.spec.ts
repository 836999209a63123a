import { expect, test } from './fixtures'
import { adminToken, gql, signInThroughForm, unique } from './api'

// The main path, through the console's own forms: a webhook channel, a task bound to it,
// a send from a service with an API key, and the send log turning "succeeded" without a reload.
test('channel and task made in the console; an API send turns succeeded live on the send log', async ({ page, request }) => {
  const sink = process.env.E2E_SINK_URL
  expect(sink, 'the global setup starts a webhook receiver').toBeTruthy()
  const channelName = unique('hook')
  const taskName = unique('deploys')

  await signInThroughForm(page)

  await page.goto('/channels')
  await page.getByTestId('create-channel').click()
  await page.getByTestId('channel-type-webhook').click()
  await page.getByTestId('channel-name').fill(channelName)
  await page.getByTestId('field-url').fill(`${sink}/hook`)
  await page.getByTestId('save-channel').click()
  const channelRow = page.getByTestId('channel-row').filter({ hasText: channelName })
  await expect(channelRow).toBeVisible()
  const channelId = await channelRow.getAttribute('data-id')

  await page.goto('/tasks')
  await page.getByTestId('create-task').click()
  await page.getByTestId('new-name').fill(taskName)
  await page.getByTestId('new-submit').click()
  await page.waitForURL(/\/tasks\/\d+/)
  const taskId = Number(new URL(page.url()).pathname.split('/').pop())
  await page.getByTestId('add-binding').click()
  await page.getByTestId('binding-channel').selectOption(String(channelId))
  await page.getByTestId('binding-apply').click()
  await expect(page.getByTestId('binding-row')).toHaveCount(1)
  await page.getByTestId('save-task').click()
  await expect(page.getByTestId('unsaved')).toHaveCount(0)

  const token = await adminToken(request)
  const task = await gql<{ task: { bindings: { channelId: number }[] } }>(request, token, 'query($id: Int!) { task(id: $id) { bindings { channelId } } }', { id: taskId })
  expect(task.task.bindings).toHaveLength(1)

  await page.goto('/messages')
  const key = await gql<{ createApiKey: { key: string } }>(request, token,
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', { i: { name: unique('svc'), scope: 'ALL' } })
  const sent = await gql<{ sendMessage: { message: { id: number } } }>(request, key.createApiKey.key,
    'mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }',
    { i: { taskId, title: 'Deploy finished', text: 'api v42 is live' } })
  const row = page.locator(`[data-testid="message-row"][data-id="${sent.sendMessage.message.id}"]`)
  await expect(row).toBeVisible()
  await expect(row.getByTestId('message-status')).toHaveAttribute('data-status', 'SUCCEEDED')

  const received = await (await request.get(`${sink}/received`)).json() as { body: string }[]
  expect(received.some((r) => r.body.includes('api v42 is live'))).toBe(true)
})
