import { graphql } from '@/gql'

export const TemplateDetailFragment = graphql(`
  fragment TemplateDetail on Template {
    id
    ownerId
    name
    description
    title
    textBody
    markdownBody
    htmlBody
    placeholders { key label default }
    mentionMobiles
    mentionUserIds
    mentionAll
    enabled
    acceptLegacyToken
    legacyToken
    bindings { ...TaskBinding }
    warnings { channelName message code args }
    createdAt
    updatedAt
  }
`)

export const TemplateRowFragment = graphql(`
  fragment TemplateRow on Template {
    id
    name
    description
    enabled
    createdAt
    bindings { id channelName channelType enabled }
    warnings { channelName message code args }
  }
`)

export const TemplatesDocument = graphql(`
  query TemplateList($first: Int, $after: String) {
    templates(first: $first, after: $after) {
      edges { cursor node { ...TemplateRow } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
`)

export const TemplateDocument = graphql(`
  query TemplateById($id: Int!) {
    template(id: $id) { ...TemplateDetail }
  }
`)

export const CreateTemplateDocument = graphql(`
  mutation TemplateCreate($input: CreateTemplateInput!) {
    createTemplate(input: $input) { ...TemplateDetail }
  }
`)

export const UpdateTemplateDocument = graphql(`
  mutation TemplateUpdate($id: Int!, $input: UpdateTemplateInput!) {
    updateTemplate(id: $id, input: $input) { ...TemplateDetail }
  }
`)

export const DeleteTemplateDocument = graphql(`
  mutation TemplateDelete($id: Int!) {
    deleteTemplate(id: $id) { id }
  }
`)

export const PreviewTemplateDocument = graphql(`
  mutation TemplatePreview($input: PreviewTemplateInput!) {
    previewTemplate(input: $input) {
      title
      missing
      channels { bindingId channelId channelName channelType format body sizeBytes limitBytes notes { code message args } }
    }
  }
`)
