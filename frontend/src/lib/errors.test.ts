import { CombinedError } from '@urql/vue'
import { afterEach, describe, expect, it } from 'vitest'
import { i18n } from '@/i18n'
import { en, zh } from '@/i18n/errors'
import { messageProblems } from '@/components/i18nCheck'
import { fieldMessage } from '@/components/fieldError'
import { apiProblem, errorText } from './errors'

const t = (key: string) => `<${key}>`
const refusal = (message: string, extensions: Record<string, unknown>) => new CombinedError({ graphQLErrors: [{ message, extensions }] })

afterEach(() => {
  i18n.global.locale.value = 'en'
})

describe('errorText', () => {
  it('gives the API its own words, and one translated sentence for a network failure', () => {
    const refused = refusal('no task with this id', { code: 'NOT_FOUND' })
    expect(errorText(refused, t)).toBe('no task with this id')
    expect(errorText(new CombinedError({ networkError: new Error('down') }), t)).toBe('<common.networkError>')
    expect(errorText(null, t)).toBeNull()
  })

  it('reads the code and field of a BAD_INPUT error', () => {
    const bad = refusal('too long', { code: 'BAD_INPUT', field: 'name' })
    expect(apiProblem(bad)).toEqual({ message: 'too long', code: 'BAD_INPUT', field: 'name' })
  })
})

describe('refusals in the console language', () => {
  const tooLarge = refusal("too large for channel 'ops' (DingTalk robot): body is 21,000 bytes; the limit is 20,000 bytes (UTF-8)", {
    code: 'BAD_INPUT',
    field: 'text',
    reason: 'body_too_large',
    args: { channel: 'ops', channelType: 'dingtalk', channelLabel: 'DingTalk robot', size: 21000, limit: 20000 },
  })

  it('words a byte limit in Chinese, with the channel type by its name', () => {
    i18n.global.locale.value = 'zh'
    expect(errorText(tooLarge, t)).toBe('对渠道“ops”（钉钉群机器人）来说太大：21,000 字节，超过其上限 20,000 字节。')
    i18n.global.locale.value = 'en'
    expect(errorText(tooLarge, t)).toBe('Too large for channel “ops” (DingTalk robot): 21,000 bytes, over its limit of 20,000 bytes.')
  })

  it('words a field check under its field, in Chinese too', () => {
    const tooLong = refusal('input.title: String should have at most 500 characters', {
      code: 'BAD_INPUT',
      field: 'input.title',
      reason: 'string_too_long',
      args: { max_length: 500 },
    })
    i18n.global.locale.value = 'zh'
    expect(fieldMessage(tooLong, 'title')).toBe('title：最多 500 个字符。')
    const missing = refusal('missing variables: service, state', { code: 'BAD_INPUT', field: 'variables', reason: 'missing_variables', args: { names: 'service, state' } })
    expect(fieldMessage(missing, 'variables')).toBe('缺少变量：service, state。')
    const limit = refusal('the message is 300,000 bytes; the limit is 262,144 bytes', { code: 'BAD_INPUT', field: 'text', reason: 'message_too_large', args: { size: 300000, limit: 262144 } })
    expect(fieldMessage(limit, 'text')).toBe('消息共 300,000 字节，上限为 262,144 字节。')
  })

  it("shows the API's English for a reason it has no words for", () => {
    i18n.global.locale.value = 'zh'
    expect(errorText(refusal('something new', { code: 'BAD_INPUT', reason: 'brand_new_rule' }), t)).toBe('something new')
  })

  it('has words for every reason the send, test and key checks give, in both languages', () => {
    expect(messageProblems(en, zh)).toEqual([])
    const reasons = [
      'batch_size', 'task_or_template', 'task_disabled', 'template_disabled', 'task_without_bindings', 'template_without_bindings',
      'message_too_large', 'no_body', 'missing_variables', 'template_without_body', 'body_too_large', 'recipients_not_taken',
      'cannot_send_here', 'too_many_test_receivers', 'receivers_out_of_reach', 'http_url', 'not_in_future', 'too_many_variables',
      'duplicate_placeholders', 'expired', 'unknown_or_revoked', 'string_too_long', 'string_too_short', 'missing',
    ]
    for (const locale of ['en', 'zh'] as const) {
      for (const reason of reasons) expect(i18n.global.te(`errors.${reason}`, locale), `${locale} ${reason}`).toBe(true)
    }
  })
})
