import { computed } from 'vue'
import { useConnection } from '@/components/connection'
import type { ApiKeyTasksQuery, ApiKeyTemplatesQuery } from '@/gql/graphql'
import { ApiKeyTasksDocument, ApiKeyTemplatesDocument } from './documents'

type Paging = { first?: number | null; after?: string | null }
export type TaskOption = ApiKeyTasksQuery['tasks']['edges'][number]['node']
export type TemplateOption = ApiKeyTemplatesQuery['templates']['edges'][number]['node']

/** Every task and template the viewer can see (all pages), for names in the list and the picker. */
export function useKeyTargets() {
  const tasks = useConnection<TaskOption, ApiKeyTasksQuery, Paging>({ query: ApiKeyTasksDocument, select: (d) => d.tasks, pageSize: 100 })
  const templates = useConnection<TemplateOption, ApiKeyTemplatesQuery, Paging>({ query: ApiKeyTemplatesDocument, select: (d) => d.templates, pageSize: 100 })
  /** Reads the pages after the first (the first is read at once). */
  async function loadAll(): Promise<void> {
    await Promise.all([tasks.loadAll(), templates.loadAll()])
  }

  return {
    tasks,
    templates,
    loadAll,
    taskNames: computed(() => new Map(tasks.items.value.map((task) => [task.id, task.name]))),
    templateNames: computed(() => new Map(templates.items.value.map((template) => [template.id, template.name]))),
    loading: computed(() => tasks.loading.value || templates.loading.value || tasks.loadingMore.value || templates.loadingMore.value),
    error: computed(() => tasks.error.value ?? templates.error.value),
  }
}
