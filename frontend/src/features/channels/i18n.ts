// Words of this feature, under the `channels` namespace (`t('channels.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
