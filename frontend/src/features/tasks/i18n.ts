// Words of this feature, under the `tasks` namespace (`t('tasks.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
