// Words of this feature, under the `users` namespace (`t('users.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
