import { graphql } from '@/gql'

/** What every view of a delivery shows (send log row, message page, a test send in flight). */
export const DeliverySummaryFragment = graphql(`
  fragment DeliverySummary on Delivery {
    id
    channelId
    channelName
    channelType
    status
    attempts
    errorClass
    lastError
  }
`)

/** A live delivery event as the views that follow one message's deliveries read it. */
export const DeliveryEventFieldsFragment = graphql(`
  fragment DeliveryEventFields on DeliveryEventNode {
    cursor
    deliveryId
    channelId
    channelType
    status
    attempt
    errorClass
    error
    at
    progress { total succeeded failed remaining }
  }
`)

export const MessageRowFieldsFragment = graphql(`
  fragment MessageRowFields on Message {
    id
    taskId
    templateId
    sourceName
    source
    title
    text
    markdown
    html
    status
    createdAt
    finishedAt
    deliveries { ...DeliverySummary latencyMs }
  }
`)

export const MessagesDocument = graphql(`
  query Messages($filter: MessageFilterInput, $first: Int, $after: String) {
    messages(filter: $filter, first: $first, after: $after) {
      edges { cursor node { ...MessageRowFields } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
`)

/** The rows a burst of live events named, in one call (see batchRead.ts). */
export const MessagesByIdsDocument = graphql(`
  query MessagesByIds($ids: [Int!]!, $first: Int!) {
    messages(filter: { ids: $ids }, first: $first) {
      edges { node { ...MessageRowFields } }
    }
  }
`)

export const MessageFilterOptionsDocument = graphql(`
  query MessageFilterOptions {
    tasks(first: 100) { nodes { id name } }
    templates(first: 100) { nodes { id name } }
    channels(first: 100) { nodes { id name type } }
  }
`)

export const MessageDetailDocument = graphql(`
  query MessageDetail($id: Int!) {
    message(id: $id) {
      ...MessageRowFields
      url
      variables
      recipients
      traceId
      idempotencyKey
      sendAt
      deliveries {
        format
        receivers
        nextAttemptAt
        updatedAt
        history { number outcome errorClass error vendorResponse latencyMs startedAt finishedAt }
      }
    }
  }
`)

export const ResendFailedDocument = graphql(`
  mutation ResendFailed($messageId: Int!) {
    resendFailed(messageId: $messageId) { id status }
  }
`)

export const MessageEventsDocument = graphql(`
  subscription MessageEvents($messageId: Int, $taskId: Int) {
    messageEvents(messageId: $messageId, taskId: $taskId) {
      ...DeliveryEventFields
      messageId
      taskId
      templateId
      latencyMs
      resumed
    }
  }
`)
