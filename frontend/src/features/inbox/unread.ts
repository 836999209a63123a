import { ref } from 'vue'
import { useQuery, useSubscription } from '@urql/vue'
import { graphql } from '@/gql'

const UnreadCountDocument = graphql(`
  query UnreadCount {
    unreadCount
  }
`)

export const InboxEventsDocument = graphql(`
  subscription InboxEvents {
    inbox { cursor kind itemIds unreadCount at resumed }
  }
`)

/** The unread count for the header badge: read once, then kept current by the inbox subscription. */
export function useUnreadCount() {
  const count = ref<number | null>(null)
  const initial = useQuery({ query: UnreadCountDocument, requestPolicy: 'network-only' })
  initial.then((result) => {
    if (count.value === null && result.data.value) count.value = result.data.value.unreadCount
  })
  useSubscription({ query: InboxEventsDocument }, (_prev, data) => {
    count.value = data.inbox.unreadCount
    return data
  })
  return count
}
