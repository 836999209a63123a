import { graphql } from '@/gql'

export const AuditLogsDocument = graphql(`
  query AuditLogs($first: Int, $after: String, $filter: AuditLogFilter, $since: DateTime, $until: DateTime) {
    auditLogs(first: $first, after: $after, filter: $filter, since: $since, until: $until) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id actorName action objectType objectId ip diff createdAt } }
    }
  }
`)
