import type { BindingInput, Format, MentionKind, TaskBindingFragment } from '@/gql/graphql'
import { initialValues, jsonCopy, normalizeValues, type DeclaredFieldSpec, type DeclaredValues } from '@/components/declaredFields'

/** What the bindings editor needs to know about a channel type (a slice of `ChannelType`). */
export interface BindingChannelType {
  key: string
  label: string
  formats: Format[]
  mentions: MentionKind[]
  supportsReceivers: boolean
  receiverKind: string | null
  maxBodyBytes: number | null
  bindingFields: DeclaredFieldSpec[]
}

/** A channel that can be bound. */
export interface BindableChannel {
  id: number
  ownerId: number
  name: string
  type: string
  enabled: boolean
}

/** One binding being edited; `key` only tells rows apart on screen. */
export interface BindingDraft {
  key: string
  channelId: number
  channelName: string
  channelType: string
  format: Format
  options: DeclaredValues
  mentionMobiles: string[]
  mentionUserIds: string[]
  mentionAll: boolean
  acceptsReceivers: boolean
  enabled: boolean
}

let nextKey = 1
const newKey = (): string => `b${nextKey++}`

function asValues(value: unknown): DeclaredValues {
  return value && typeof value === 'object' && !Array.isArray(value) ? jsonCopy(value as DeclaredValues) : {}
}

/** A saved binding as an editable draft. */
export function draftFromBinding(binding: TaskBindingFragment): BindingDraft {
  return {
    key: newKey(),
    channelId: binding.channelId,
    channelName: binding.channelName,
    channelType: binding.channelType,
    format: binding.format,
    options: asValues(binding.options),
    mentionMobiles: [...binding.mentionMobiles],
    mentionUserIds: [...binding.mentionUserIds],
    mentionAll: binding.mentionAll,
    acceptsReceivers: binding.acceptsReceivers,
    enabled: binding.enabled,
  }
}

/** A fresh binding to `channel`: the type's first format, declared defaults, per-call receivers on where the type takes them. */
export function newDraft(channel: BindableChannel, type: BindingChannelType | undefined): BindingDraft {
  return {
    key: newKey(),
    channelId: channel.id,
    channelName: channel.name,
    channelType: channel.type,
    format: type?.formats[0] ?? 'TEXT',
    options: initialValues(type?.bindingFields ?? []),
    mentionMobiles: [],
    mentionUserIds: [],
    mentionAll: false,
    acceptsReceivers: type?.supportsReceivers ?? false,
    enabled: true,
  }
}

export function copyDraft(draft: BindingDraft): BindingDraft {
  return jsonCopy(draft)
}

/**
 * The `BindingInput` the API takes. With the channel type known, options are normalized to its
 * declared fields and anything the type cannot do (a mention kind, per-call receivers) is left out,
 * so switching a binding's channel never sends stale settings.
 */
export function bindingInput(draft: BindingDraft, type?: BindingChannelType): BindingInput {
  const mentions = type ? new Set(type.mentions) : null
  const allows = (kind: MentionKind): boolean => !mentions || mentions.has(kind)
  return {
    channelId: draft.channelId,
    format: type && !type.formats.includes(draft.format) ? type.formats[0] : draft.format,
    options: type ? normalizeValues(type.bindingFields, draft.options) : draft.options,
    mentionMobiles: allows('MOBILES') ? cleanList(draft.mentionMobiles) : [],
    mentionUserIds: allows('USER_IDS') ? cleanList(draft.mentionUserIds) : [],
    mentionAll: allows('ALL') ? draft.mentionAll : false,
    acceptsReceivers: type ? type.supportsReceivers && draft.acceptsReceivers : draft.acceptsReceivers,
    enabled: draft.enabled,
  }
}

export function bindingInputs(drafts: BindingDraft[], types: Map<string, BindingChannelType>): BindingInput[] {
  return drafts.map((draft) => bindingInput(draft, types.get(draft.channelType)))
}

function cleanList(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))]
}

/** The saved bindings as inputs, for copying a task or template with the same bindings. */
export function inputsOfSaved(bindings: TaskBindingFragment[]): BindingInput[] {
  return bindings.map((binding) => bindingInput(draftFromBinding(binding)))
}

/** The binding a BAD_INPUT field such as `bindings.2.format` is about, and the rest of the path. */
export function bindingErrorTarget(field: string | null | undefined): { index: number; path: string } | null {
  const match = /^(?:input\.)?bindings\.(\d+)(?:\.(.+))?$/.exec(field ?? '')
  if (!match) return null
  return { index: Number(match[1]), path: match[2] ?? '' }
}

/** A one-line description of who a binding @-mentions, for the bindings table. */
export function mentionSummary(draft: Pick<BindingDraft, 'mentionMobiles' | 'mentionUserIds' | 'mentionAll'>): string[] {
  const parts: string[] = []
  if (draft.mentionAll) parts.push('@all')
  parts.push(...draft.mentionMobiles.map((m) => `@${m}`), ...draft.mentionUserIds.map((u) => `@${u}`))
  return parts
}

/** Stable JSON of the drafts' inputs: two equal strings mean nothing changed. */
export function bindingsSignature(drafts: BindingDraft[], types: Map<string, BindingChannelType>): string {
  return JSON.stringify(bindingInputs(drafts, types))
}
