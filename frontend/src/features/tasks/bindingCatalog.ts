import { computed, watch } from 'vue'
import { useQuery } from '@urql/vue'
import { useConnection } from '@/components/connection'
import { useChannelText } from '@/features/channels/channelText'
import { BindableChannelsDocument, ChannelTypesDocument } from './documents'
import type { BindableChannel, BindingChannelType } from './bindings'

/** Channel types and every channel the user can bind, for the bindings editor. */
export function useBindingCatalog() {
  const typesQuery = useQuery({ query: ChannelTypesDocument, requestPolicy: 'cache-first' })
  const channels = useConnection({
    query: BindableChannelsDocument,
    select: (data) => data.channels,
    pageSize: 100,
  })
  // A picker must offer every channel, not only the first page: each page read asks for the next.
  watch(
    () => channels.loaded.value && channels.hasMore.value && !channels.loadingMore.value && !channels.error.value,
    (more) => void (more && channels.loadMore()),
  )

  // Type labels and binding-field words in the console's language (the API sends English).
  const channelText = useChannelText()
  const types = computed(() => {
    const map = new Map<string, BindingChannelType>()
    for (const type of typesQuery.data.value?.channelTypes ?? []) map.set(type.key, channelText.translateType(type))
    return map
  })
  const typeLabels = computed(() => new Map([...types.value].map(([key, type]) => [key, type.label])))
  return {
    types,
    typeLabels,
    channels: computed<BindableChannel[]>(() => channels.items.value),
    loading: computed(() => typesQuery.fetching.value || channels.loading.value || channels.loadingMore.value),
    error: computed(() => typesQuery.error.value ?? channels.error.value),
  }
}
