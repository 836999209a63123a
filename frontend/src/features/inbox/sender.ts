/** Who an inbox item says it is from, as words: the sending user, and the API key when one was used. */
export type Sender = { username: string; apiKeyName?: string | null } | null | undefined

export type SenderWords = { key: 'from' | 'fromKey' | 'unknownSender'; values: Record<string, string> }

export function senderWords(sender: Sender): SenderWords {
  if (!sender) return { key: 'unknownSender', values: {} }
  if (sender.apiKeyName) return { key: 'fromKey', values: { name: sender.username, key: sender.apiKeyName } }
  return { key: 'from', values: { name: sender.username } }
}
