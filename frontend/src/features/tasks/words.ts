type Translate = (key: string, named?: Record<string, unknown>) => string

const KNOWN_RECEIVER_KINDS = ['email', 'openid', 'mobile', 'userid', 'username']

/** The words for a channel type's `receiverKind` ("email addresses"); an unknown kind is shown as the API names it. */
export function receiverKindLabel(t: Translate, kind: string | null | undefined): string {
  if (!kind) return ''
  return KNOWN_RECEIVER_KINDS.includes(kind) ? t(`tasks.receiverKind.${kind}`) : kind
}
