import { graphql } from '@/gql'

/** A channel as the list and the dialogs use it (config with secrets masked). */
export const ChannelFieldsFragment = graphql(`
  fragment ChannelFields on Channel { id name type config enabled allowPrivateTargets createdAt updatedAt nextFreeSlot }
`)

export const ChannelTypesDocument = graphql(`
  query ChannelTypes {
    channelTypes {
      key
      label
      description
      supportsReceivers
      receiverKind
      rateWindow { count seconds }
      vendorDedupe
      unknownPolicy
      configFields { name label kind required default help options }
    }
  }
`)

export const ChannelsDocument = graphql(`
  query Channels($first: Int, $after: String, $type: String) {
    channels(first: $first, after: $after, type: $type) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...ChannelFields } }
    }
  }
`)

export const CreateChannelDocument = graphql(`
  mutation CreateChannel($input: CreateChannelInput!) {
    createChannel(input: $input) { ...ChannelFields }
  }
`)

export const UpdateChannelDocument = graphql(`
  mutation UpdateChannel($id: Int!, $input: UpdateChannelInput!) {
    updateChannel(id: $id, input: $input) { ...ChannelFields }
  }
`)

export const DeleteChannelDocument = graphql(`
  mutation DeleteChannel($id: Int!) {
    deleteChannel(id: $id) { id }
  }
`)

export const TestChannelDocument = graphql(`
  mutation TestChannel($id: Int!, $receivers: [String!]) {
    testChannel(id: $id, receivers: $receivers) { ok errorClass message vendorResponse latencyMs }
  }
`)
