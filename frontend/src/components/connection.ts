import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import { useClientHandle, type AnyVariables, type CombinedError, type TypedDocumentNode } from '@urql/vue'

/** The part of a Relay-style connection a paged list needs. */
export interface Connection<T> {
  edges: { node: T }[]
  pageInfo: { hasNextPage: boolean; endCursor?: string | null }
  totalCount?: number
}

/** Appends `incoming` after `current`; a row already shown is replaced where it stands (no duplicates). */
export function mergeById<T extends { id: number }>(current: T[], incoming: T[]): T[] {
  const fresh = new Map(incoming.map((row) => [row.id, row]))
  const kept = current.map((row) => fresh.get(row.id) ?? row)
  const seen = new Set(current.map((row) => row.id))
  return [...kept, ...incoming.filter((row) => !seen.has(row.id))]
}

export interface ConnectionOptions<T, Data, Vars extends AnyVariables> {
  query: TypedDocumentNode<Data, Vars>
  /** Variables other than first/after; the list reloads when what this returns changes. */
  variables?: () => Omit<Vars, 'first' | 'after'>
  select: (data: Data) => Connection<T>
  pageSize?: number
}

/**
 * A cursor-paged list read straight from the network: first page on mount and whenever the
 * variables change, "Load more" appends the next one. Rows can be patched in place after a mutation
 * or a live event, so the list never jumps back to page one.
 */
export function useConnection<T extends { id: number }, Data, Vars extends AnyVariables>(options: ConnectionOptions<T, Data, Vars>) {
  const { client } = useClientHandle()
  const pageSize = options.pageSize ?? 25
  const items: Ref<T[]> = shallowRef([])
  const totalCount = ref<number | null>(null)
  const endCursor = ref<string | null>(null)
  const hasMore = ref(false)
  const loading = ref(false)
  const loadingMore = ref(false)
  const loaded = ref(false)
  const error = shallowRef<CombinedError | null>(null)
  let generation = 0
  let firstPage: Promise<void> = Promise.resolve()

  async function fetchPage(after: string | null, first = pageSize) {
    const variables = { ...(options.variables?.() ?? {}), first, after } as unknown as Vars
    return client.query(options.query, variables, { requestPolicy: 'network-only' }).toPromise()
  }

  /** Reads the first page again; rows stay on screen until the answer replaces them. */
  function reload(): Promise<void> {
    firstPage = readFirstPage()
    return firstPage
  }

  async function readFirstPage(): Promise<void> {
    const mine = ++generation
    loading.value = true
    const result = await fetchPage(null)
    if (mine !== generation) return
    loading.value = false
    error.value = result.error ?? null
    if (!result.data) return
    const page = options.select(result.data)
    items.value = page.edges.map((edge) => edge.node)
    endCursor.value = page.pageInfo.endCursor ?? null
    hasMore.value = page.pageInfo.hasNextPage
    totalCount.value = page.totalCount ?? null
    loaded.value = true
  }

  async function loadMore(): Promise<void> {
    if (!hasMore.value || loadingMore.value) return
    const mine = generation
    loadingMore.value = true
    const result = await fetchPage(endCursor.value)
    loadingMore.value = false
    if (mine !== generation) return
    error.value = result.error ?? null
    if (!result.data) return
    const page = options.select(result.data)
    items.value = mergeById(items.value, page.edges.map((edge) => edge.node))
    endCursor.value = page.pageInfo.endCursor ?? null
    hasMore.value = page.pageInfo.hasNextPage
    totalCount.value = page.totalCount ?? totalCount.value
  }

  /** Every remaining page, up to `maxPages` (for pickers that must list everything). */
  async function loadAll(maxPages = 20): Promise<void> {
    await firstPage
    for (let i = 0; i < maxPages && hasMore.value && !error.value; i++) await loadMore()
  }

  /** Puts a row in (at the top when new), or replaces the row with its id. */
  function upsert(row: T, atTop = true): void {
    const exists = items.value.some((item) => item.id === row.id)
    if (exists) items.value = items.value.map((item) => (item.id === row.id ? row : item))
    else {
      items.value = atTop ? [row, ...items.value] : [...items.value, row]
      if (totalCount.value !== null) totalCount.value += 1
    }
  }

  function remove(ids: number[]): void {
    const gone = new Set(ids)
    const before = items.value.length
    items.value = items.value.filter((item) => !gone.has(item.id))
    if (totalCount.value !== null) totalCount.value = Math.max(0, totalCount.value - (before - items.value.length))
  }

  watch(() => JSON.stringify(options.variables?.() ?? {}), () => void reload(), { immediate: true })

  return {
    items,
    totalCount,
    hasMore,
    loading,
    loadingMore,
    loaded,
    error,
    empty: computed(() => loaded.value && items.value.length === 0),
    reload,
    loadMore,
    loadAll,
    upsert,
    remove,
    fetchPage,
  }
}

/** A list from useConnection as a shared component takes it, whatever query it reads. */
export type PagedList<T extends { id: number }> = Omit<ReturnType<typeof useConnection<T, unknown, AnyVariables>>, 'fetchPage'>
