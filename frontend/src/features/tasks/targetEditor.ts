import { computed, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import { useRouter } from 'vue-router'
import { useMutation, useQuery, type TypedDocumentNode } from '@urql/vue'
import { useI18n } from 'vue-i18n'
import { isFieldError } from '@/components/fieldError'
import { apiProblem, type ApiProblem } from '@/lib/errors'
import { toast } from '@/lib/toast'
import { useBindingCatalog } from './bindingCatalog'
import type { BindableChannel, BindingChannelType } from './bindings'
import type { TargetKind } from './targetList'

/** An API error about one row of a list in the form (e.g. `bindings.2.format`), shown in that row. */
export type RowProblem<T> = T & { message: string }

/**
 * Keeps the API error that is about one row of a list in the form (bindings, placeholders), so the
 * row can show it; it goes when that list is edited or the next save starts.
 */
export function useRowProblem<T extends object>(list: () => unknown, target: (field: string | undefined) => T | null) {
  const problem = ref<RowProblem<T> | null>(null) as Ref<RowProblem<T> | null>
  watch(list, () => (problem.value = null))
  return {
    problem,
    /** Takes the error when it is about this list; true if it was. */
    capture(error: ApiProblem | null): boolean {
      const about = error ? target(error.field) : null
      if (error && about) problem.value = { ...about, message: error.message }
      return about !== null
    },
    clear(): void {
      problem.value = null
    },
  }
}

type RowProblemHandle = Pick<ReturnType<typeof useRowProblem<object>>, 'problem' | 'capture' | 'clear'>

/** What a task or template edited on its page has in common. */
export interface EditedTarget {
  id: number
  ownerId: number
  name: string
  createdAt: string
}

export interface TargetEditorOptions<Item extends EditedTarget, QueryData, UpdateData, Input> {
  kind: TargetKind
  id: () => number
  query: TypedDocumentNode<QueryData, { id: number }>
  update: TypedDocumentNode<UpdateData, { id: number; input: Input }>
  remove: TypedDocumentNode<unknown, { id: number }>
  /** The item in a query answer / in an update answer. */
  read: (data: QueryData) => Item | null | undefined
  updated: (data: UpdateData) => Item
  /** Puts a saved item into the page's form. */
  load: (item: Item) => void
  /** Whether the form differs from what is saved (binding options compare by the channel types' fields). */
  isDirty: (saved: Item, types: Map<string, BindingChannelType>) => boolean
  /** The update input from the form. */
  input: (types: Map<string, BindingChannelType>) => Input
  /** Form fields whose errors show under their input (not as a banner under the form). */
  fields: string[]
  /** Errors about rows of lists in the form (bindings, placeholders…), shown in those rows. */
  rowProblems: RowProblemHandle[]
  /** After a save has been loaded back into the form. */
  onSaved?: () => void
}

/**
 * The edit page of a task or template: reads the item, keeps a form of it (a background refetch
 * never wipes edits in progress), says when the form is unsaved, saves with the API's errors shown
 * where they belong, and deletes (then goes back to the list).
 */
export function useTargetEditor<Item extends EditedTarget, QueryData, UpdateData, Input>(options: TargetEditorOptions<Item, QueryData, UpdateData, Input>) {
  const { t } = useI18n()
  const router = useRouter()
  const query = useQuery({ query: options.query, variables: () => ({ id: options.id() }), requestPolicy: 'network-only' })
  const update = useMutation(options.update)
  const remove = useMutation(options.remove)
  const catalog = useBindingCatalog()

  const saved: ShallowRef<Item | null> = shallowRef(null)
  function load(item: Item): void {
    saved.value = item
    options.load(item)
  }

  const dirty = computed(() => !!saved.value && options.isDirty(saved.value, catalog.types.value))
  const notFound = computed(() => apiProblem(query.error.value)?.code === 'NOT_FOUND')

  // A background refetch (e.g. after a mutation elsewhere) must not wipe edits in progress.
  watch(
    () => (query.data.value ? options.read(query.data.value) : undefined),
    (item) => {
      if (item && (!saved.value || saved.value.id !== item.id || !dirty.value)) load(item)
    },
    { immediate: true },
  )

  const saveError = computed(() => {
    const error = update.error.value
    if (!error || isFieldError(error, options.fields) || options.rowProblems.some((handle) => handle.problem.value)) return null
    return error
  })

  async function save(): Promise<void> {
    for (const handle of options.rowProblems) handle.clear()
    const result = await update.executeMutation({ id: options.id(), input: options.input(catalog.types.value) })
    if (!result.data) {
      const problem = apiProblem(result.error)
      for (const handle of options.rowProblems) handle.capture(problem)
      return
    }
    load(options.updated(result.data))
    options.onSaved?.()
    toast(t('common.saved'))
  }

  async function destroy(): Promise<void> {
    const result = await remove.executeMutation({ id: options.id() })
    if (!result.data) return
    toast(t(`${options.kind}s.deleted`, { name: saved.value?.name ?? '' }))
    await router.push({ name: `${options.kind}s` })
  }

  return {
    saved,
    loading: computed(() => query.fetching.value),
    notFound,
    queryError: computed(() => query.error.value),
    dirty,
    saving: computed(() => update.fetching.value),
    /** The update's error, for the fields it names. */
    updateError: computed(() => update.error.value),
    /** The update's error when no field or row shows it: a banner. */
    saveError,
    removeError: computed(() => remove.error.value),
    catalog,
    /** Channels the item may bind: its owner's. */
    channels: computed<BindableChannel[]>(() => catalog.channels.value.filter((c) => !saved.value || c.ownerId === saved.value.ownerId)),
    save,
    destroy,
  }
}

/** What a task's or template's page and its shared parts read from the editor. */
export type TargetEditor<Item extends EditedTarget> = ReturnType<typeof useTargetEditor<Item, unknown, unknown, unknown>>
