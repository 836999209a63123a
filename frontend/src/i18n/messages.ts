import * as common from './common'
import * as errors from './errors'
import * as dashboard from '@/features/dashboard/i18n'
import * as messages from '@/features/messages/i18n'
import * as inbox from '@/features/inbox/i18n'
import * as tasks from '@/features/tasks/i18n'
import * as templates from '@/features/templates/i18n'
import * as channels from '@/features/channels/i18n'
import * as cron from '@/features/cron/i18n'
import * as apikeys from '@/features/apikeys/i18n'
import * as users from '@/features/users/i18n'
import * as audit from '@/features/audit/i18n'
import * as settings from '@/features/settings/i18n'

export const en = {
  ...common.en,
  errors: errors.en,
  dashboard: dashboard.en,
  messages: messages.en,
  inbox: inbox.en,
  tasks: tasks.en,
  templates: templates.en,
  channels: channels.en,
  cron: cron.en,
  apikeys: apikeys.en,
  users: users.en,
  audit: audit.en,
  settings: settings.en,
}

export const zh: typeof en = {
  ...common.zh,
  errors: errors.zh,
  dashboard: dashboard.zh,
  messages: messages.zh,
  inbox: inbox.zh,
  tasks: tasks.zh,
  templates: templates.zh,
  channels: channels.zh,
  cron: cron.zh,
  apikeys: apikeys.zh,
  users: users.zh,
  audit: audit.zh,
  settings: settings.zh,
}
