import { graphql } from '@/gql'

/** A key as the list shows it (never its secret). */
export const ApiKeyFieldsFragment = graphql(`
  fragment ApiKeyFields on ApiKey { id name prefix scope taskId templateId ownerId ownerUsername createdAt lastUsedAt revokedAt expiresAt }
`)

export const ApiKeysListDocument = graphql(`
  query ApiKeysList($first: Int, $after: String) {
    apiKeys(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...ApiKeyFields } }
    }
  }
`)

export const ApiKeyTasksDocument = graphql(`
  query ApiKeyTasks($first: Int, $after: String) {
    tasks(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id name ownerId enabled } }
    }
  }
`)

export const ApiKeyTemplatesDocument = graphql(`
  query ApiKeyTemplates($first: Int, $after: String) {
    templates(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id name ownerId enabled placeholders { key default } } }
    }
  }
`)

export const CreateApiKeyDocument = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      key
      apiKey { ...ApiKeyFields }
    }
  }
`)

export const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: Int!) {
    revokeApiKey(id: $id) { ...ApiKeyFields }
  }
`)
