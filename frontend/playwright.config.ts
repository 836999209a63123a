import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { defineConfig } from '@playwright/test'

// One real `pushnest serve` (all-in-one, SQLite in a fresh directory) serving the built console.
const port = Number(process.env.PUSHNEST_E2E_PORT ?? 18765)
const repo = resolve(import.meta.dirname, '..')
const dataDir = mkdtempSync(join(tmpdir(), 'pushnest-e2e-'))
export const ADMIN_PASSWORD = 'e2e-admin-password-1'
// A second server, the same build under a path prefix, for e2e/path-prefix.spec.ts.
const PREFIX_PORT = Number(process.env.PUSHNEST_E2E_PREFIX_PORT ?? port + 1)
// Test workers inherit this process's environment: the spec reads the address from here.
process.env.PUSHNEST_E2E_PREFIX_URL = `http://127.0.0.1:${PREFIX_PORT}/pushnest/`
const prefixDataDir = mkdtempSync(join(tmpdir(), 'pushnest-e2e-prefix-'))
const serverEnv = {
  PUSHNEST_HOST: '127.0.0.1',
  PUSHNEST_ADMIN_PASSWORD: ADMIN_PASSWORD,
  PUSHNEST_ALLOW_PRIVATE_TARGETS: 'true',
  PUSHNEST_CONSOLE_DIR: join(repo, 'frontend/dist'),
  PUSHNEST_REDIS_URL: '',
  PUSHNEST_LOG_LEVEL: 'WARNING',
}
const pushnest = `${process.env.PUSHNEST_BIN ?? join(repo, '.venv/bin/pushnest')} serve`

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
  webServer: [
    {
      command: pushnest,
      url: `http://127.0.0.1:${port}/readyz`,
      cwd: repo,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { ...serverEnv, PUSHNEST_DATA_DIR: dataDir, PUSHNEST_PORT: String(port) },
    },
    {
      command: pushnest,
      // Health checks answer at the root as well as under the prefix.
      url: `http://127.0.0.1:${PREFIX_PORT}/readyz`,
      cwd: repo,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { ...serverEnv, PUSHNEST_DATA_DIR: prefixDataDir, PUSHNEST_PORT: String(PREFIX_PORT), PUSHNEST_PATH_PREFIX: '/pushnest' },
    },
  ],
})
