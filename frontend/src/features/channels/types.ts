import type { ChannelTypesQuery, ChannelsQuery } from '@/gql/graphql'

/** A channel type with its declared form fields, as `channelTypes` gives it. */
export type ChannelTypeInfo = ChannelTypesQuery['channelTypes'][number]

/** A channel as the list and the dialogs use it (config with secrets masked). */
export type ChannelNode = ChannelsQuery['channels']['edges'][number]['node']
