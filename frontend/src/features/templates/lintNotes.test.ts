import { describe, expect, it } from 'vitest'
import { i18n } from '@/i18n'
import { noteText, type NoteWords } from './lintNotes'

function words(locale: 'en' | 'zh'): NoteWords {
  i18n.global.locale.value = locale
  const typeLabel = (type: string) => (type === 'dingtalk' ? (locale === 'zh' ? '钉钉群机器人' : 'DingTalk robot') : type)
  return { t: (key, values) => i18n.global.t(key, values ?? {}), te: (key) => i18n.global.te(key), typeLabel, locale }
}

const TOO_LARGE = {
  code: 'body_too_large',
  message: "21,000 bytes is over DingTalk robot's limit of 20,000 bytes",
  args: { size: 21000, limit: 20000, channelType: 'dingtalk' },
}

describe('lint notes in the console language', () => {
  it('words a known code with its arguments, in Chinese too', () => {
    expect(noteText(TOO_LARGE, words('en'))).toBe('21,000 bytes is over the DingTalk robot limit of 20,000 bytes.')
    expect(noteText(TOO_LARGE, words('zh'))).toBe('21,000 字节，超过钉钉群机器人的上限 20,000 字节。')
    const converted = { code: 'body_converted', message: 'x', args: { format: 'text', channelType: 'dingtalk' } }
    expect(noteText(converted, words('zh'))).toContain('纯文本')
  })

  it("shows the API's English for a code it does not know", () => {
    expect(noteText({ code: 'new_rule', message: 'Something new', args: {} }, words('zh'))).toBe('Something new')
  })

  it('has words for every code the API sends, in both languages', () => {
    const codes = ['body_converted', 'body_too_large', 'channel_disabled', 'wecom_markdown_mentions_mobiles', 'dingtalk_card_mentions', 'wechat_title_too_long', 'sms_without_text']
    for (const locale of ['en', 'zh'] as const) {
      for (const code of codes) expect(words(locale).te(`templates.notes.${code}`), `${locale} ${code}`).toBe(true)
    }
    i18n.global.locale.value = 'en'
  })
})
