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

export const ResetSiteSettingsDocument = graphql(`
  mutation ResetSiteSettings {
    resetSiteSettings { ...SiteSettingsFields }
  }
`)

/** The About panel (admins only). */
export const AboutDocument = graphql(`
  query About {
    about { version pythonVersion startedAt uptimeSeconds memoryBytes database mode }
  }
`)
