import { expect, test } from './fixtures'
import { adminToken, gql, signInThroughForm, unique } from './api'

const PASSWORD = 'member-password-1'

// "Run now" on the cron page: the row's last run, its outcome and a link to the message it sent
// show at once, without a reload; a run the API refuses shows as refused, with why.
test('cron: run now shows the last run, its outcome and the message it sent', async ({ page, request }) => {
  const sink = process.env.E2E_SINK_URL
  const token = await adminToken(request)
  const channel = await gql<{ createChannel: { id: number } }>(request, token,
    'mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }',
    { i: { name: unique('hook'), type: 'webhook', config: { url: `${sink}/cron` } } })
  const task = await gql<{ createTask: { id: number } }>(request, token,
    'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', { i: { name: unique('task'), bindings: [{ channelId: channel.createChannel.id }] } })
  const taskId = task.createTask.id
  const job = await gql<{ createCronJob: { id: number } }>(request, token,
    'mutation($i: CreateCronJobInput!) { createCronJob(input: $i) { id } }',
    // New Year's midnight: no tick of its own while the test runs.
    { i: { name: unique('nightly'), expression: '0 0 1 1 *', taskId, payload: { text: 'cron run now' } } })

  await signInThroughForm(page)
  await page.goto('/cron')
  const row = page.locator(`[data-testid="cron-row"][data-id="${job.createCronJob.id}"]`)
  await expect(row.getByTestId('cron-last-run')).toContainText('Never')

  await row.getByTestId('run-cron-now').click()
  const result = page.getByTestId('cron-run-result')
  await expect(result).toBeVisible()
  const messageId = await result.getAttribute('data-message-id')
  await expect(row.getByTestId('cron-last-run')).not.toContainText('Never')
  const link = row.getByTestId('cron-last-message')
  await expect(link).toHaveAttribute('href', `/messages/${messageId}`)
  await link.click()
  await page.waitForURL(`**/messages/${messageId}`)
  await expect(page.getByText('cron run now').first()).toBeVisible()

  // The task is switched off: the next run is refused, and the row says so and why.
  await gql(request, token, 'mutation($id: Int!) { updateTask(id: $id, input: {enabled: false}) { id } }', { id: taskId })
  await page.goto('/cron')
  await row.getByTestId('run-cron-now').click()
  await expect(row.getByTestId('cron-last-refused')).toContainText('disabled')
  await expect(row.getByTestId('cron-last-message')).toHaveCount(0)
})

// The keys page: an admin sees whose each key is; a key made with an expiry date says when it
// expires, and shows as expired once that moment has passed (the browser's clock moved past it).
test('API keys: owner shown to admins, expiry set in the dialog, Expired once it passed', async ({ page, request }) => {
  const token = await adminToken(request)
  const username = unique('m').replace(/-/g, '_')
  await gql(request, token, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username, password: PASSWORD } })
  const memberToken = (await gql<{ login: { token: string } }>(request, '',
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: username, p: PASSWORD })).login.token
  const memberKey = await gql<{ createApiKey: { apiKey: { id: number } } }>(request, memberToken,
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }', { i: { name: unique('members'), scope: 'ALL' } })

  await signInThroughForm(page)
  await page.goto('/api-keys')
  const theirs = page.locator(`[data-testid="apikey-row"][data-id="${memberKey.createApiKey.apiKey.id}"]`)
  await expect(theirs.getByTestId('apikey-owner')).toHaveText(`of ${username}`)

  const name = unique('expiring')
  const inTwoDays = new Date(Date.now() + 2 * 86_400_000)
  const day = `${inTwoDays.getFullYear()}-${String(inTwoDays.getMonth() + 1).padStart(2, '0')}-${String(inTwoDays.getDate()).padStart(2, '0')}`
  await page.getByTestId('create-apikey').click()
  await page.getByTestId('apikey-name').fill(name)
  await page.getByTestId('apikey-expires-on').fill(day)
  await page.getByTestId('apikey-submit').click()
  await page.getByTestId('new-api-key-done').click() // the one-time secret, shown once
  const mine = page.getByTestId('apikey-row').filter({ hasText: name })
  await expect(mine.getByTestId('apikey-expires')).toHaveText(/^expires (in|tomorrow)/)
  await expect(mine.getByTestId('apikey-owner')).toHaveText('of admin')
  await expect(mine.getByTestId('apikey-expired')).toHaveCount(0)
  const listed = await gql<{ apiKeys: { nodes: { name: string; expiresAt: string }[] } }>(request, token, '{ apiKeys(first: 100) { nodes { name expiresAt } } }')
  const saved = listed.apiKeys.nodes.find((key) => key.name === name)
  expect(new Date(saved?.expiresAt ?? 0).getTime()).toBe(new Date(`${day}T00:00:00`).getTime())

  await page.clock.setFixedTime(new Date(inTwoDays.getTime() + 86_400_000))
  await page.reload()
  await expect(mine.getByTestId('apikey-expired')).toBeVisible()
  await expect(theirs.getByTestId('apikey-expired')).toHaveCount(0)
})
