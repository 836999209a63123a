import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import type { DeclaredFieldSpec } from '@/components/declaredFields'
import { channelText } from './channelText'
import { en, zh } from './i18n'

function textIn(locale: 'en' | 'zh') {
  const i18n = createI18n({ legacy: false, locale, fallbackLocale: 'en', missingWarn: false, fallbackWarn: false, messages: { en: { channels: en }, zh: { channels: zh } } })
  return channelText({ t: (key) => i18n.global.t(key), te: (key) => i18n.global.te(key) })
}

const field = (over: Partial<DeclaredFieldSpec>): DeclaredFieldSpec => ({
  name: 'f', label: 'F', kind: 'STRING', required: false, default: null, help: null, options: [], ...over,
})

// DingTalk as the API declares it (English, from the backend).
const dingtalk = {
  key: 'dingtalk',
  label: 'DingTalk robot',
  description: 'Group robot webhook with HMAC signing and @mobiles / @userIds / @all.',
  configFields: [
    field({ name: 'access_token', label: 'Access token', kind: 'SECRET', required: true, help: 'The access_token query value' }),
    field({ name: 'secret', label: 'Signing secret', kind: 'SECRET', help: 'Starts with SEC…' }),
    field({ name: 'brand_new', label: 'Brand new field', help: 'Added after the translation' }),
  ],
  bindingFields: [field({ name: 'msgtype', label: 'Message type', kind: 'SELECT', default: 'auto', options: ['auto', 'markdown', 'text', 'rich'] })],
}

describe('channelText in Chinese', () => {
  const text = textIn('zh')

  it('translates a type and its fields', () => {
    expect(text.typeLabel('dingtalk', 'DingTalk robot')).toBe('钉钉群机器人')
    expect(text.typeDescription('dingtalk', 'x')).toContain('@所有人')
    expect(text.fieldLabel('dingtalk', dingtalk.configFields[1])).toBe('加签密钥')
    expect(text.fieldHelp('dingtalk', dingtalk.configFields[1])).toContain('SEC')
    expect(text.fieldHelp('dingtalk', dingtalk.configFields[1])).not.toContain('Starts with')
  })

  it('falls back to the API’s words for a type or field it does not know', () => {
    expect(text.typeLabel('carrier_pigeon', 'Carrier pigeon')).toBe('Carrier pigeon')
    expect(text.typeLabel('carrier_pigeon')).toBe('carrier_pigeon')
    expect(text.typeDescription('carrier_pigeon', 'Birds.')).toBe('Birds.')
    expect(text.fieldLabel('dingtalk', dingtalk.configFields[2])).toBe('Brand new field')
    expect(text.fieldHelp('dingtalk', dingtalk.configFields[2])).toBe('Added after the translation')
    expect(text.fieldHelp('carrier_pigeon', field({ name: 'x' }))).toBeNull()
    expect(text.optionLabel('dingtalk', 'msgtype', 'rich', 'binding')).toBe('rich')
  })

  it('keeps config and binding fields of the same name apart', () => {
    const templateId = field({ name: 'template_id', label: 'Template ID' })
    expect(text.fieldLabel('wechat_oa', templateId, 'config')).toBe('模板 ID')
    expect(text.fieldLabel('wechat_oa', templateId, 'binding')).toBe('覆盖模板 ID')
  })

  it('translates a whole type, leaving names, kinds and option values alone', () => {
    const out = text.translateType(dingtalk)
    expect(out.key).toBe('dingtalk')
    expect(out.label).toBe('钉钉群机器人')
    expect(out.configFields.map((f) => f.label)).toEqual(['Access Token', '加签密钥', 'Brand new field'])
    expect(out.configFields.map((f) => f.name)).toEqual(['access_token', 'secret', 'brand_new'])
    expect(out.configFields[0].kind).toBe('SECRET')
    expect(out.configFields[0].required).toBe(true)
    const msgtype = out.bindingFields[0]
    expect(msgtype.label).toBe('消息类型')
    expect(msgtype.options).toEqual(['auto', 'markdown', 'text', 'rich'])
    expect(msgtype.optionLabels).toEqual({ auto: '自动', markdown: 'Markdown', text: '纯文本', rich: 'rich' })
    // The API's object is not changed (urql caches it).
    expect(dingtalk.label).toBe('DingTalk robot')
    expect(dingtalk.configFields[1].label).toBe('Signing secret')
  })

  it('needs messages that render without vue-i18n syntax showing (@, braces)', () => {
    expect(text.fieldHelp('webhook', field({ name: 'body_template' }))).toContain('{{title}}')
    expect(text.fieldHelp('telegram', field({ name: 'bot_token' }))).toContain('@BotFather')
    expect(text.fieldHelp('aliyun_sms', field({ name: 'content_param' }))).toContain('${…}')
  })
})

describe('channelText in English', () => {
  const text = textIn('en')

  it('uses the API’s words where the console has no English of its own', () => {
    expect(text.typeLabel('dingtalk', 'DingTalk robot')).toBe('DingTalk robot')
    expect(text.fieldLabel('dingtalk', dingtalk.configFields[1])).toBe('Signing secret')
    expect(text.fieldHelp('dingtalk', dingtalk.configFields[0])).toBe('The access_token query value')
  })

  it('does not fall back to Chinese', () => {
    expect(text.typeDescription('wechat_oa', 'Template messages')).toBe('Template messages')
    expect(text.fieldLabel('email', field({ name: 'host', label: 'SMTP host' }))).toBe('SMTP host')
  })

  it('uses its own English where the API’s is raw', () => {
    expect(text.optionLabel('bark', 'level', 'timeSensitive')).toBe('Time sensitive')
    expect(text.optionLabel('email', 'security', 'plain')).toBe('None (plain)')
    expect(text.fieldHelp('aliyun_sms', field({ name: 'sign_name', help: 'An approved 短信签名' }))).toContain('SMS signature')
  })
})
