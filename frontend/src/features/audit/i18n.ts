// Words of this feature, under the `audit` namespace (`t('audit.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
