import { expect, test as base } from '@playwright/test'

// Every browser test runs under the console's Content-Security-Policy (served by `pushnest serve`)
// and fails if the page reported a violation: a blocked script, style, image, connection or frame.
// Violations are collected from `securitypolicyviolation` events, which the browser fires in the
// page for each one, and from console messages about CSP (reported even where no event is).

export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = []
      await page.exposeFunction('__pushnestCspViolation', (text: string) => violations.push(text))
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => {
          const report = (window as unknown as { __pushnestCspViolation: (text: string) => void }).__pushnestCspViolation
          void report(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`)
        })
      })
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(`console: ${message.text()}`)
      })
      await use(violations)
      expect(violations, 'the page reported no Content-Security-Policy violation').toEqual([])
    },
    { auto: true },
  ],
})

export { expect }
