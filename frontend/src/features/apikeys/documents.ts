import { graphql } from '@/gql'

export const ApiKeysListDocument = graphql(`
  query ApiKeysList($first: Int, $after: String) {
    apiKeys(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name prefix scope taskId templateId createdAt lastUsedAt revokedAt } }
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
      apiKey { id name prefix scope taskId templateId createdAt lastUsedAt revokedAt }
    }
  }
`)

export const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: Int!) {
    revokeApiKey(id: $id) { id name prefix scope taskId templateId createdAt lastUsedAt revokedAt }
  }
`)
