import type { CreateApiKeyInput, KeyScope } from '@/gql/graphql'

export interface KeyForm {
  name: string
  scope: KeyScope
  taskId: number | null
  templateId: number | null
  /** A date (YYYY-MM-DD) the key stops working at the start of, in this browser's time zone; '' never. */
  expiresOn?: string
}

export function emptyKeyForm(): KeyForm {
  return { name: '', scope: 'ALL', taskId: null, templateId: null, expiresOn: '' }
}

/** What is missing before the form can be sent (the field to point at), or null when it is complete. */
export function missingField(form: KeyForm): 'name' | 'taskId' | 'templateId' | null {
  if (!form.name.trim()) return 'name'
  if (form.scope === 'TASK' && form.taskId === null) return 'taskId'
  if (form.scope === 'TEMPLATE' && form.templateId === null) return 'templateId'
  return null
}

/** The mutation input: only the target the scope names is sent (the API refuses the other). */
export function createKeyInput(form: KeyForm): CreateApiKeyInput {
  return {
    name: form.name.trim(),
    scope: form.scope,
    taskId: form.scope === 'TASK' ? form.taskId : null,
    templateId: form.scope === 'TEMPLATE' ? form.templateId : null,
    ...(form.expiresOn ? { expiresAt: new Date(`${form.expiresOn}T00:00:00`).toISOString() } : {}),
  }
}
