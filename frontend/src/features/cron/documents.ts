import { graphql } from '@/gql'

/** A cron job as the list and the dialog use it. */
export const CronJobFieldsFragment = graphql(`
  fragment CronJobFields on CronJob {
    id ownerId name taskId templateId expression timezone payload enabled nextRunAt lastRunAt lastOutcome lastError lastMessageId createdAt updatedAt
  }
`)

export const CronJobsDocument = graphql(`
  query CronJobs($first: Int, $after: String) {
    cronJobs(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...CronJobFields } }
    }
  }
`)

/** One job as it stands now: after "run now" its last run, outcome and message have changed. */
export const CronJobDocument = graphql(`
  query CronJob($id: Int!) {
    cronJob(id: $id) { ...CronJobFields }
  }
`)

export const CronTasksDocument = graphql(`
  query CronTasks($first: Int, $after: String) {
    tasks(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name enabled } }
    }
  }
`)

export const CronTemplatesDocument = graphql(`
  query CronTemplates($first: Int, $after: String) {
    templates(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name enabled placeholders { key label default } } }
    }
  }
`)

export const CreateCronJobDocument = graphql(`
  mutation CreateCronJob($input: CreateCronJobInput!) {
    createCronJob(input: $input) { ...CronJobFields }
  }
`)

export const UpdateCronJobDocument = graphql(`
  mutation UpdateCronJob($id: Int!, $input: UpdateCronJobInput!) {
    updateCronJob(id: $id, input: $input) { ...CronJobFields }
  }
`)

export const DeleteCronJobDocument = graphql(`
  mutation DeleteCronJob($id: Int!) {
    deleteCronJob(id: $id) { id }
  }
`)

export const RunCronJobNowDocument = graphql(`
  mutation RunCronJobNow($id: Int!) {
    runCronJobNow(id: $id) { messageId deliveryCount }
  }
`)
