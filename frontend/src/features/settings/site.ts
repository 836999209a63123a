import { computed, reactive, watchEffect } from 'vue'
import { useQuery } from '@urql/vue'
import { graphql } from '@/gql'

export const DEFAULT_SITE_TITLE = 'PushNest'

export const SiteBrandDocument = graphql(`
  query SiteBrand {
    siteSettings { title logoUrl }
  }
`)

/**
 * The site's title and logo for the header and the login page (public: no sign-in needed).
 * Returns a reactive object — read `site.title` / `site.logoUrl`, or `toRefs(site)` to destructure.
 * 'PushNest' and no logo until the answer arrives; keeps `document.title` on the site title.
 * Saving in Settings refreshes it (the mutation returns SiteSettings, which invalidates this query).
 */
export function useSiteSettings(): { readonly title: string; readonly logoUrl: string | null } {
  const query = useQuery({ query: SiteBrandDocument })
  const title = computed(() => query.data.value?.siteSettings.title || DEFAULT_SITE_TITLE)
  const logoUrl = computed(() => query.data.value?.siteSettings.logoUrl ?? null)
  watchEffect(() => {
    document.title = title.value
  })
  return reactive({ title, logoUrl })
}
