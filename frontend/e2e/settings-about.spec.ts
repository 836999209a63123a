import { expect, test } from './fixtures'
import { adminToken, gql, signInThroughForm } from './api'

test('an admin sees the About panel and resets the site settings to their defaults', async ({ page, request }) => {
  const token = await adminToken(request)
  await gql(request, token, 'mutation { updateSiteSettings(input: { title: "Ops Alerts", retentionDays: 12 }) { title } }')
  await signInThroughForm(page)
  await page.locator('[data-nav="settings"]').click()

  await expect(page.getByTestId('about-version')).toHaveText(/^\d+\.\d+/)
  await expect(page.getByTestId('about-database')).toHaveText('SQLite')
  await expect(page.getByTestId('about-mode')).toContainText('All-in-one')
  await expect(page.getByTestId('about-memory')).toHaveText(/MiB$/)

  await expect(page.locator('#site-title')).toHaveValue('Ops Alerts')
  await page.getByTestId('reset-site-settings').click()
  await page.getByTestId('confirm').click()
  await expect(page.locator('#site-title')).toHaveValue('PushNest')
  await expect(page.getByTestId('retention-days').getByTestId('retention-source')).toHaveAttribute('data-from-config', 'true')
  const site = await gql<{ siteSettings: { title: string } }>(request, token, '{ siteSettings { title } }')
  expect(site.siteSettings.title).toBe('PushNest')
})
