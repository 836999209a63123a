import { graphql } from '@/gql'

export const StatsDocument = graphql(`
  query DashboardStats($days: Int!) {
    stats(days: $days) {
      days
      since
      sent
      succeeded
      failed
      unknown
      successRate
      daily { day sent succeeded failed unknown successRate }
      channels { channelType channelId channelName sent succeeded failed unknown successRate }
      latency {
        channelType channelId channelName samples p50Ms p95Ms p99Ms
        p50Range { fromMs toMs } p95Range { fromMs toMs } p99Range { fromMs toMs }
      }
      errorClasses { errorClass count }
      topErrors { errorClass error count }
    }
  }
`)

export const DashboardLiveDocument = graphql(`
  subscription DashboardLive {
    dashboard {
      sent
      succeeded
      failed
      inFlight
      successRate
      channels { channelType sent succeeded failed }
      at
    }
  }
`)
