import { graphql } from '@/gql'

export const InboxListDocument = graphql(`
  query InboxList($first: Int, $after: String, $unreadOnly: Boolean!) {
    inbox(first: $first, after: $after, unreadOnly: $unreadOnly) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id messageId title body format url sender { username apiKeyName } read readAt previewUrl createdAt } }
    }
  }
`)

export const MarkInboxReadDocument = graphql(`
  mutation MarkInboxRead($ids: [Int!]!) {
    markInboxRead(ids: $ids) { changed unreadCount }
  }
`)

export const MarkAllInboxReadDocument = graphql(`
  mutation MarkAllInboxRead {
    markAllInboxRead { changed unreadCount }
  }
`)

export const DeleteInboxItemsDocument = graphql(`
  mutation DeleteInboxItems($ids: [Int!]!) {
    deleteInboxItems(ids: $ids) { changed unreadCount }
  }
`)

export const RevokeInboxPreviewDocument = graphql(`
  mutation RevokeInboxPreview($id: Int!) {
    revokeInboxPreview(id: $id) { id previewUrl }
  }
`)
