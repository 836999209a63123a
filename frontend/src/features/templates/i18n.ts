// Words of this feature, under the `templates` namespace (`t('templates.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
