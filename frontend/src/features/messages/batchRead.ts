/**
 * Re-reading the messages a burst of live events named: one `messages(filter: {ids})` query per
 * hundred ids (the API's limit for one call) instead of one `message(id)` query per message. A
 * message that is gone meanwhile (pruned) is simply not in the answer.
 */
import type { Client, CombinedError } from '@urql/vue'
import type { MessageRowFieldsFragment } from '@/gql/graphql'
import { MessagesByIdsDocument } from './documents'

/** The API answers at most this many ids per call (and pages hold at most 100 rows). */
export const MAX_IDS_PER_READ = 100

export interface BatchRead {
  messages: MessageRowFieldsFragment[]
  /** The first failure, if any call failed; the other calls' messages are still there. */
  error: CombinedError | null
}

export async function readMessages(client: Client, ids: number[]): Promise<BatchRead> {
  const chunks: number[][] = []
  for (let start = 0; start < ids.length; start += MAX_IDS_PER_READ) chunks.push(ids.slice(start, start + MAX_IDS_PER_READ))
  const results = await Promise.all(
    chunks.map((chunk) => client.query(MessagesByIdsDocument, { ids: chunk, first: chunk.length }, { requestPolicy: 'network-only' }).toPromise()),
  )
  return {
    messages: results.flatMap((result) => result.data?.messages.edges.map((edge) => edge.node) ?? []),
    error: results.find((result) => result.error)?.error ?? null,
  }
}
