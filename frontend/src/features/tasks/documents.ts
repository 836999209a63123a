import { graphql } from '@/gql'

export const TaskBindingFragment = graphql(`
  fragment TaskBinding on Binding {
    id
    channelId
    channelName
    channelType
    format
    options
    mentionMobiles
    mentionUserIds
    mentionAll
    acceptsReceivers
    enabled
  }
`)

export const TaskDetailFragment = graphql(`
  fragment TaskDetail on Task {
    id
    ownerId
    name
    description
    enabled
    acceptLegacyToken
    legacyToken
    createdAt
    updatedAt
    bindings { ...TaskBinding }
  }
`)

export const TasksDocument = graphql(`
  query TaskList($first: Int, $after: String) {
    tasks(first: $first, after: $after) {
      edges { cursor node { ...TaskDetail } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
`)

export const TaskDocument = graphql(`
  query TaskById($id: Int!) {
    task(id: $id) { ...TaskDetail }
  }
`)

export const CreateTaskDocument = graphql(`
  mutation TaskCreate($input: CreateTaskInput!) {
    createTask(input: $input) { ...TaskDetail }
  }
`)

export const UpdateTaskDocument = graphql(`
  mutation TaskUpdate($id: Int!, $input: UpdateTaskInput!) {
    updateTask(id: $id, input: $input) { ...TaskDetail }
  }
`)

export const DeleteTaskDocument = graphql(`
  mutation TaskDelete($id: Int!) {
    deleteTask(id: $id) { id }
  }
`)

export const ChannelTypesDocument = graphql(`
  query TaskBindingChannelTypes {
    channelTypes {
      key
      label
      formats
      mentions
      supportsReceivers
      receiverKind
      maxBodyBytes
      bindingFields { name label kind required default help options }
    }
  }
`)

export const BindableChannelsDocument = graphql(`
  query TaskBindableChannels($first: Int, $after: String) {
    channels(first: $first, after: $after) {
      edges { cursor node { id ownerId name type enabled } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
`)

export const CreateTargetKeyDocument = graphql(`
  mutation TaskTargetKeyCreate($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      key
      apiKey { id name prefix scope taskId templateId }
    }
  }
`)

export const SendTestDocument = graphql(`
  mutation TaskSendTest($input: SendMessageInput!) {
    sendMessage(input: $input) {
      duplicate
      message { ...TestSendMessage }
    }
  }
`)

export const TestSendMessageFragment = graphql(`
  fragment TestSendMessage on Message {
    id
    status
    createdAt
    deliveries { ...DeliverySummary format receivers updatedAt }
  }
`)

export const LiveMessageDocument = graphql(`
  query TestSendMessageById($id: Int!) {
    message(id: $id) { ...TestSendMessage }
  }
`)

export const MessageEventsDocument = graphql(`
  subscription TestSendMessageEvents($messageId: Int!) {
    messageEvents(messageId: $messageId) { ...DeliveryEventFields }
  }
`)

export const SwitchTaskLegacyTokenDocument = graphql(`
  mutation TaskLegacyTokenSwitch($id: Int!, $on: Boolean!) {
    updateTask(id: $id, input: { acceptLegacyToken: $on }) { id acceptLegacyToken legacyToken }
  }
`)

export const SwitchTemplateLegacyTokenDocument = graphql(`
  mutation TemplateLegacyTokenSwitch($id: Int!, $on: Boolean!) {
    updateTemplate(id: $id, input: { acceptLegacyToken: $on }) { id acceptLegacyToken legacyToken }
  }
`)
