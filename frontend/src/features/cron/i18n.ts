// Words of this feature, under the `cron` namespace (`t('cron.…')`). zh must have the same keys as en.
export const en = {}

export const zh: typeof en = {}
