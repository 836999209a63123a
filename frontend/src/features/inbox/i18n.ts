// Words of this feature, under the `inbox` namespace (`t('inbox.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
