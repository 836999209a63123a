import { expect, test } from './fixtures'
import { adminToken, gql, signInThroughForm, unique } from './api'

// The server's words in the Chinese console: template checks and refusals come with codes (reasons)
// and arguments and are worded here; channel types are named, not shown as keys, on the send log and dashboard; a
// template without bindings says "through this template", not "to this task".
test('in Chinese: template checks, a refused send, channel type names and the empty bindings text', async ({ page, request }) => {
  const sink = process.env.E2E_SINK_URL
  const token = await adminToken(request)
  const channel = await gql<{ createChannel: { id: number } }>(request, token,
    'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }',
    { i: { name: unique('hook'), type: 'webhook', config: { url: `${sink}/words` } } })
  const bound = await gql<{ createTemplate: { id: number } }>(request, token,
    'mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }',
    { i: { name: unique('tpl'), title: 'T', markdownBody: '**only markdown**', bindings: [{ channelId: channel.createChannel.id, format: 'TEXT' }] } })
  const empty = await gql<{ createTemplate: { id: number } }>(request, token,
    'mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }', { i: { name: unique('tpl'), textBody: 'x' } })
  const task = await gql<{ createTask: { id: number } }>(request, token,
    'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', { i: { name: unique('task'), bindings: [{ channelId: channel.createChannel.id }] } })
  const sent = await gql<{ sendMessage: { message: { id: number } } }>(request, token,
    'mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }', { i: { taskId: task.createTask.id, text: 'words' } })

  await signInThroughForm(page)
  await page.getByTestId('language-menu').click()
  await page.locator('[data-locale="zh"]').click()

  await page.goto(`/templates/${bound.createTemplate.id}`)
  await expect(page.getByTestId('template-warning').first()).toContainText('模板没有纯文本正文：自定义 Webhook会收到')
  await page.goto(`/templates/${empty.createTemplate.id}`)
  await expect(page.getByTestId('no-bindings')).toContainText('通过此模板发送的消息')

  // A refusal from the API, worded by the console: a test send without any text.
  await page.goto(`/tasks/${task.createTask.id}`)
  await page.getByTestId('send-test').click()
  await expect(page.locator('[data-testid="field-error"][data-field="text"]')).toHaveText('请至少填写文本、Markdown、HTML 中的一项。')

  await page.goto('/messages')
  const row = page.locator(`[data-testid="message-row"][data-id="${sent.sendMessage.message.id}"]`)
  await expect(row.getByTestId('delivery-chip').first()).toHaveAttribute('title', /自定义 Webhook/)
  await page.goto('/')
  await expect(page.locator('[data-channel-type="webhook"]').first()).toContainText('自定义 Webhook')
})
