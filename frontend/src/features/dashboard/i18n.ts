// Words of this feature, under the `dashboard` namespace (`t('dashboard.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
