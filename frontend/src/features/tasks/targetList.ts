import { useClientHandle, useMutation, type CombinedError, type TypedDocumentNode } from '@urql/vue'
import { useI18n } from 'vue-i18n'
import { createCopy } from './copyName'

/** Tasks and templates share their list page; this names which one a page is. */
export type TargetKind = 'task' | 'template'

/** What a list row of a task or template carries. */
export interface TargetRow {
  id: number
  name: string
  description: string
  enabled: boolean
  createdAt: string
  bindings: { id: number; channelName: string; channelType: string; enabled: boolean }[]
}

/** An API answer cut down to what the list needs: the item it returned, or the error. */
export interface Answer<T> {
  data?: T | null
  error?: CombinedError | null
}

/** The API calls behind one kind's list page (each kind has its own documents). */
export interface TargetListApi<Row extends TargetRow> {
  create(input: { name: string; description: string }): Promise<Answer<{ id: number; name: string }>>
  setEnabled(row: Row, enabled: boolean): Promise<Answer<Row>>
  /** A copy named "<name> (copy)", read fresh so it has the settings as they are now. */
  copy(row: Row): Promise<Answer<Row>>
  remove(row: Row): Promise<Answer<unknown>>
}

/** One kind's documents for its list page, and how to read and build what they carry. */
export interface TargetListDocuments<Row extends TargetRow, Source extends { name: string }, CreateInput, CreateData, UpdateData, SourceData> {
  create: TypedDocumentNode<CreateData, { input: CreateInput }>
  created: (data: CreateData) => Row
  update: TypedDocumentNode<UpdateData, { id: number; input: { enabled: boolean } }>
  updated: (data: UpdateData) => Row
  remove: TypedDocumentNode<unknown, { id: number }>
  /** The whole item, read fresh for a copy (the list may carry less, or be out of date). */
  read: TypedDocumentNode<SourceData, { id: number }>
  source: (data: SourceData) => Source
  /** The create input copying `source` under a new name. */
  copyInput: (source: Source, name: string) => CreateInput
  /** The create input of a new, empty item. */
  newInput: (value: { name: string; description: string }) => CreateInput
}

/** The API calls behind one kind's list page, from that kind's documents. */
export function useTargetListApi<Row extends TargetRow, Source extends { name: string }, CreateInput, CreateData, UpdateData, SourceData>(
  docs: TargetListDocuments<Row, Source, CreateInput, CreateData, UpdateData, SourceData>,
): TargetListApi<Row> {
  const { t } = useI18n()
  const { client } = useClientHandle()
  const create = useMutation(docs.create)
  const update = useMutation(docs.update)
  const remove = useMutation(docs.remove)
  return {
    async create(value) {
      const result = await create.executeMutation({ input: docs.newInput(value) })
      return { data: result.data && docs.created(result.data), error: result.error }
    },
    async setEnabled(row, enabled) {
      const result = await update.executeMutation({ id: row.id, input: { enabled } })
      return { data: result.data && docs.updated(result.data), error: result.error }
    },
    async copy(row) {
      const fresh = await client.query(docs.read, { id: row.id }, { requestPolicy: 'network-only' }).toPromise()
      if (!fresh.data) return { error: fresh.error }
      const source = docs.source(fresh.data)
      const result = await createCopy(t, source.name, (name) => create.executeMutation({ input: docs.copyInput(source, name) }))
      return { data: result.data && docs.created(result.data), error: result.error }
    },
    async remove(row) {
      const result = await remove.executeMutation({ id: row.id })
      return { data: result.data, error: result.error }
    },
  }
}
