import { graphql } from '@/gql'

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
    deliveries { id channelId channelName channelType status attempts errorClass lastError latencyMs }
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

export const MessageRowDocument = graphql(`
  query MessageRow($id: Int!) {
    message(id: $id) { ...MessageRowFields }
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
      id
      taskId
      templateId
      sourceName
      source
      title
      text
      markdown
      html
      url
      variables
      recipients
      status
      traceId
      idempotencyKey
      sendAt
      createdAt
      finishedAt
      deliveries {
        id
        channelId
        channelName
        channelType
        format
        receivers
        status
        attempts
        errorClass
        lastError
        latencyMs
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
      cursor
      messageId
      deliveryId
      taskId
      templateId
      channelId
      channelType
      status
      attempt
      errorClass
      error
      latencyMs
      at
      resumed
      progress { total succeeded failed remaining }
    }
  }
`)
