// Words of this feature, under the `messages` namespace (`t('messages.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
