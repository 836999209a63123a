import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { defineConfig } from '@playwright/test'

// One real `pushnest serve` (all-in-one, SQLite in a fresh directory) serving the built console.
const port = Number(process.env.PUSHNEST_E2E_PORT ?? 18765)
const repo = resolve(import.meta.dirname, '..')
const dataDir = mkdtempSync(join(tmpdir(), 'pushnest-e2e-'))
export const ADMIN_PASSWORD = 'e2e-admin-password-1'

export default defineConfig({
  testDir: './e2e',
  outputDir: './e2e/artifacts/results',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `${process.env.PUSHNEST_BIN ?? join(repo, '.venv/bin/pushnest')} serve`,
    url: `http://127.0.0.1:${port}/readyz`,
    cwd: repo,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PUSHNEST_DATA_DIR: dataDir,
      PUSHNEST_HOST: '127.0.0.1',
      PUSHNEST_PORT: String(port),
      PUSHNEST_ADMIN_PASSWORD: ADMIN_PASSWORD,
      PUSHNEST_ALLOW_PRIVATE_TARGETS: 'true',
      PUSHNEST_CONSOLE_DIR: join(repo, 'frontend/dist'),
      PUSHNEST_REDIS_URL: '',
      PUSHNEST_LOG_LEVEL: 'WARNING',
    },
  },
})
