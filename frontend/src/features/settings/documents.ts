import { graphql } from '@/gql'

/** The site settings as the settings page edits them. */
export const SiteSettingsFieldsFragment = graphql(`
  fragment SiteSettingsFields on SiteSettings {
    title
    logoUrl
    retention { days maxMessages inboxDays daysFromConfig maxMessagesFromConfig inboxDaysFromConfig }
  }
`)

export const SiteSettingsAdminDocument = graphql(`
  query SiteSettingsAdmin {
    siteSettings { ...SiteSettingsFields }
  }
`)

export const UpdateSiteSettingsDocument = graphql(`
  mutation UpdateSiteSettings($input: UpdateSiteSettingsInput!) {
    updateSiteSettings(input: $input) { ...SiteSettingsFields }
  }
`)
