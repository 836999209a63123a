// Words of this feature, under the `apikeys` namespace (`t('apikeys.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
