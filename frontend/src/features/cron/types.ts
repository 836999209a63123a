import type { CronJobsQuery, CronTasksQuery, CronTemplatesQuery } from '@/gql/graphql'

/** A cron job as the list and the dialog use it. */
export type CronJobNode = CronJobsQuery['cronJobs']['edges'][number]['node']
export type CronTaskOption = CronTasksQuery['tasks']['edges'][number]['node']
export type CronTemplateOption = CronTemplatesQuery['templates']['edges'][number]['node']
