// Words of this feature, under the `settings` namespace (`t('settings.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
