import { test, expect } from '@playwright/test'
import { auditServer } from 'graphql-http'

// The official GraphQL-over-HTTP audit (graphql-http's `auditServer`, the same suite as
// `npx graphql-http`'s checks) against the served PushNest: every audit must be `ok`, warnings
// included (they were all about application/graphql-response+json before it was supported).
test('the GraphQL-over-HTTP audit passes every check', async ({ baseURL }) => {
  const results = await auditServer({ url: `${baseURL}/graphql` })
  const notOk = results.filter((result) => result.status !== 'ok').map((r) => `${r.status} ${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`)
  expect(notOk).toEqual([])
  expect(results.length).toBeGreaterThanOrEqual(61)
})
