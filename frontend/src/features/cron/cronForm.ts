/**
 * The cron job form: a task job sends fixed content (title, text, markdown, html, url), a template
 * job sends variables for the template's placeholders. This turns the form into the API's input,
 * checks it before asking, and places the API's BAD_INPUT field errors under the right input.
 */
import { checkExpression, isTimeZone, normalizeExpression } from './schedule'

export type TargetMode = 'task' | 'template'

export const CONTENT_KEYS = ['title', 'text', 'markdown', 'html', 'url'] as const
export type ContentKey = (typeof CONTENT_KEYS)[number]
export type TaskContent = Record<ContentKey, string>

export interface CronFormModel {
  name: string
  mode: TargetMode
  taskId: number | null
  templateId: number | null
  expression: string
  timezone: string
  enabled: boolean
  content: TaskContent
  variables: Record<string, string>
}

/** The job fields the form reads back when editing. */
export interface CronJobFields {
  name: string
  taskId?: number | null
  templateId?: number | null
  expression: string
  timezone: string
  payload: unknown
  enabled: boolean
}

export type CronProblem = 'required' | 'target' | 'fieldCount' | 'invalid' | 'timezone' | 'body' | 'url'

/** The input inputs of the form: what it can point an error at. */
export type CronFormField = 'name' | 'target' | 'expression' | 'timezone' | 'body' | 'url' | 'title' | 'variables'

function emptyContent(): TaskContent {
  return { title: '', text: '', markdown: '', html: '', url: '' }
}

export function emptyForm(timezone: string): CronFormModel {
  return { name: '', mode: 'task', taskId: null, templateId: null, expression: '0 9 * * 1-5', timezone, enabled: true, content: emptyContent(), variables: {} }
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** The form filled from a saved job. */
export function formFromJob(job: CronJobFields): CronFormModel {
  const payload = asObject(job.payload)
  const mode: TargetMode = job.templateId != null ? 'template' : 'task'
  const content = emptyContent()
  const variables: Record<string, string> = {}
  if (mode === 'task') {
    for (const key of CONTENT_KEYS) content[key] = asText(payload[key])
  } else {
    for (const [key, value] of Object.entries(asObject(payload.variables))) variables[key] = asText(value)
  }
  return {
    name: job.name,
    mode,
    taskId: job.taskId ?? null,
    templateId: job.templateId ?? null,
    expression: job.expression,
    timezone: job.timezone,
    enabled: job.enabled,
    content,
    variables,
  }
}

/** The payload for the job's mode: filled content fields only, or the variables that have a value. */
export function buildPayload(model: CronFormModel): Record<string, unknown> {
  if (model.mode === 'template') {
    const variables = Object.fromEntries(Object.entries(model.variables).filter(([, value]) => value !== ''))
    return { variables }
  }
  const payload: Record<string, string> = {}
  for (const key of CONTENT_KEYS) {
    const value = key === 'url' || key === 'title' ? model.content[key].trim() : model.content[key]
    if (value.trim() !== '') payload[key] = value
  }
  return payload
}

/** The createCronJob / updateCronJob input. Exactly one target is set; giving it replaces the old one. */
export function buildInput(model: CronFormModel) {
  return {
    name: model.name.trim(),
    expression: normalizeExpression(model.expression),
    taskId: model.mode === 'task' ? model.taskId : null,
    templateId: model.mode === 'template' ? model.templateId : null,
    timezone: model.timezone,
    payload: buildPayload(model),
    enabled: model.enabled,
  }
}

/** What the form can see is wrong before asking the API. */
export function validateCron(model: CronFormModel): Partial<Record<CronFormField, CronProblem>> {
  const problems: Partial<Record<CronFormField, CronProblem>> = {}
  if (!model.name.trim()) problems.name = 'required'
  if ((model.mode === 'task' ? model.taskId : model.templateId) == null) problems.target = 'target'
  const check = checkExpression(model.expression)
  if (!check.ok) problems.expression = check.problem === 'empty' ? 'required' : check.problem
  if (!isTimeZone(model.timezone)) problems.timezone = 'timezone'
  if (model.mode === 'task') {
    if (!['text', 'markdown', 'html'].some((key) => model.content[key as ContentKey].trim() !== '')) problems.body = 'body'
    const url = model.content.url.trim()
    if (url && !/^https?:\/\//i.test(url)) problems.url = 'url'
  }
  return problems
}

/** Which input a BAD_INPUT error's `field` is about; null puts it above the form's buttons. */
export function formFieldOf(apiField: string | null | undefined): CronFormField | null {
  if (!apiField) return null
  const [head, key] = apiField.replace(/^input\./, '').split('.')
  switch (head) {
    case 'name':
    case 'expression':
    case 'timezone':
      return head
    case 'taskId':
    case 'templateId':
      return 'target'
    case 'payload':
      if (key === 'url') return 'url'
      if (key === 'title') return 'title'
      if (key === 'variables') return 'variables'
      return 'body'
    default:
      return null
  }
}
