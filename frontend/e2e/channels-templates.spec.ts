import { expect, test } from './fixtures'
import { adminToken, gql, signInThroughForm, unique } from './api'

async function webhook(request: Parameters<typeof adminToken>[0], token: string, path: string): Promise<{ id: number; name: string }> {
  const name = unique(`hook${path.replace('/', '-')}`)
  const data = await gql<{ createChannel: { id: number } }>(request, token,
    'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }',
    { i: { name, type: 'webhook', config: { url: `${process.env.E2E_SINK_URL}${path}` } } })
  return { id: data.createChannel.id, name }
}

test('test send shows the vendor answer: accepted, and refused with its words', async ({ page, request }) => {
  const token = await adminToken(request)
  const good = await webhook(request, token, '/hook')
  const refusing = await webhook(request, token, '/reject')
  await signInThroughForm(page)
  await page.goto('/channels')

  await page.locator(`[data-testid="channel-row"][data-id="${good.id}"]`).getByTestId('test-channel').click()
  await expect(page.getByTestId('test-result')).toHaveAttribute('data-ok', 'true')
  await page.keyboard.press('Escape')

  await page.locator(`[data-testid="channel-row"][data-id="${refusing.id}"]`).getByTestId('test-channel').click()
  const result = page.getByTestId('test-result')
  await expect(result).toHaveAttribute('data-ok', 'false')
  await expect(result.getByTestId('test-vendor-response')).toContainText('invalid_payload')
})

test('the template editor previews each bound channel as you type', async ({ page, request }) => {
  const token = await adminToken(request)
  const channel = await webhook(request, token, '/hook')
  const created = await gql<{ createTemplate: { id: number } }>(request, token,
    'mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }',
    { i: { name: unique('shipped'), title: 'Order {{order}}', textBody: 'Hello {{name}}', placeholders: [{ key: 'name', default: 'there' }, { key: 'order', default: 'A-1' }], bindings: [{ channelId: channel.id }] } })
  await signInThroughForm(page)
  await page.goto(`/templates/${created.createTemplate.id}`)

  const preview = page.locator(`[data-testid="template-preview"][data-channel-id="${channel.id}"]`)
  await expect(preview.getByTestId('preview-body')).toContainText('Hello there')
  await page.locator('[data-testid="template-body"][data-format="text"]').fill('Parcel {{order}} left the warehouse')
  await expect(preview.getByTestId('preview-body')).toContainText('Parcel A-1 left the warehouse')
})
