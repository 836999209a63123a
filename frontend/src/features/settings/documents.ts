import { graphql } from '@/gql'

export const SiteSettingsAdminDocument = graphql(`
  query SiteSettingsAdmin {
    siteSettings {
      title
      logoUrl
      retention { days maxMessages inboxDays daysFromConfig maxMessagesFromConfig inboxDaysFromConfig }
    }
  }
`)

export const UpdateSiteSettingsDocument = graphql(`
  mutation UpdateSiteSettings($input: UpdateSiteSettingsInput!) {
    updateSiteSettings(input: $input) {
      title
      logoUrl
      retention { days maxMessages inboxDays daysFromConfig maxMessagesFromConfig inboxDaysFromConfig }
    }
  }
`)
