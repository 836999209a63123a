/**
 * Words for the channel types the API declares (`channelTypes`): each type's label and description,
 * and the label, help and SELECT option names of its config fields (`fields`) and binding fields
 * (`bindingFields` — kept apart because a type may use one name for both, e.g. `template_id`).
 * Mounted at `channels.catalog` and read through `channelText.ts`, which falls back to the API's
 * English for anything missing here. So zh covers every type and field, while en only has entries
 * where the API's own words are not good enough (raw option values, Chinese vendor terms).
 *
 * These are vue-i18n messages: a literal `@`, `{` or `}` must be written as {'@'}, {'{'}, {'}'}.
 * `catalog.test.ts` checks them against `catalog.fixture.json` (generated from the backend).
 */

export interface CatalogField {
  label?: string
  help?: string
  /** Display names of SELECT options, by option value. */
  options?: Record<string, string>
}

export interface CatalogType {
  label?: string
  description?: string
  fields?: Record<string, CatalogField>
  bindingFields?: Record<string, CatalogField>
}

export type ChannelCatalog = Record<string, CatalogType>

const msgtypeAuto = { auto: 'Auto', text: 'Text', markdown: 'Markdown' }

export const enCatalog: ChannelCatalog = {
  email: {
    bindingFields: { receivers_as: { options: { separate: 'One mail each', bcc: 'One mail, all in Bcc' } } },
    fields: {
      security: {
        help: 'SSL/TLS = implicit TLS (usually port 465), STARTTLS = upgrade after connecting (587), None = plain text (25)',
        options: { ssl: 'SSL/TLS', starttls: 'STARTTLS', plain: 'None (plain)' },
      },
    },
  },
  dingtalk: {
    fields: { secret: { help: 'Starts with SEC…; required if signing (加签) is enabled in the robot’s security settings' } },
    bindingFields: { msgtype: { options: msgtypeAuto } },
  },
  wecom_robot: {
    bindingFields: { msgtype: { options: { ...msgtypeAuto, markdown_v2: 'Markdown v2' } } },
  },
  wecom_app: {
    bindingFields: { msgtype: { options: msgtypeAuto } },
  },
  feishu: {
    bindingFields: { msg_type: { options: { auto: 'Auto', interactive: 'Card (interactive)', post: 'Rich text (post)', text: 'Text' } } },
  },
  bark: {
    fields: { level: { options: { active: 'Active (default)', timeSensitive: 'Time sensitive', passive: 'Passive', critical: 'Critical' } } },
  },
  aliyun_sms: {
    fields: { sign_name: { help: 'An approved SMS signature (短信签名)' } },
  },
}

const apiBase = { label: 'API 地址' }
const serverUrl = { label: '服务器地址' }
const msgtype = { auto: '自动', text: '纯文本', markdown: 'Markdown' }
const keyword = { label: '自定义关键词', help: '若机器人开启了关键词校验，缺少该关键词的消息会自动加上它' }

export const zhCatalog: ChannelCatalog = {
  email: {
    label: '邮件（SMTP）',
    description: '通过任意 SMTP 服务器发送邮件；每封邮件可有多个收件人、抄送和密送。',
    fields: {
      host: { label: 'SMTP 服务器', help: '例如 smtp.example.com' },
      security: {
        label: '加密方式',
        help: 'SSL/TLS = 隐式 TLS（通常端口 465），STARTTLS = 连接后升级加密（587），不加密 = 明文（25）',
        options: { ssl: 'SSL/TLS', starttls: 'STARTTLS', plain: '不加密' },
      },
      port: { label: '端口' },
      username: { label: '用户名', help: '服务器无需登录时留空' },
      password: { label: '密码', help: 'QQ 邮箱、163 邮箱等需填写授权码，而不是登录密码' },
      from_address: { label: '发件人地址', help: '通常与用户名相同' },
      from_name: { label: '发件人名称' },
      verify_certificate: { label: '校验服务器的 TLS 证书' },
      ca_certificate: { label: 'CA 证书（PEM）', help: '信任此 CA（例如私有或自签名的 CA），代替系统自带的证书' },
      timeout_seconds: { label: '超时（秒）' },
    },
    bindingFields: {
      to: { label: '收件人' },
      cc: { label: '抄送' },
      bcc: { label: '密送', help: '其他收件人看不到密送地址' },
      receivers_as: {
        label: '调用时指定的收件人',
        help: '逐个发送 = 每人一封；密送 = 一封邮件，所有人都在密送中。收件人都看不到彼此的地址',
        options: { separate: '逐个发送', bcc: '密送' },
      },
    },
  },
  dingtalk: {
    label: '钉钉群机器人',
    description: "群自定义机器人 Webhook，支持加签及 {'@'}手机号 / {'@'}userId / {'@'}所有人。",
    fields: {
      base_url: { ...apiBase, help: '国际版：https://oapi.dingtalk.io' },
      access_token: { label: 'Access Token', help: '机器人 Webhook 地址中 access_token 参数的值' },
      secret: { label: '加签密钥', help: '以 SEC 开头；机器人安全设置启用了「加签」时必填' },
      keyword,
    },
    bindingFields: {
      msgtype: { label: '消息类型', help: '自动 = 消息带有 Markdown 正文时发送 markdown 消息', options: msgtype },
      append_keyword: { label: '添加关键词', help: '消息缺少渠道的关键词时自动加上' },
    },
  },
  wecom_robot: {
    label: '企业微信群机器人',
    description: "群机器人 Webhook，支持 {'@'}成员 userid / {'@'}手机号 / {'@'}所有人。",
    fields: {
      base_url: apiBase,
      key: { label: 'Webhook Key', help: '机器人 Webhook 地址中 key 参数的值' },
    },
    bindingFields: {
      msgtype: {
        label: '消息类型',
        help: "自动 = 消息带有 Markdown 正文时发送 markdown，需要 {'@'} 成员时发送纯文本",
        options: { ...msgtype, markdown_v2: 'Markdown v2' },
      },
    },
  },
  wechat_oa: {
    label: '微信公众号模板消息',
    description: '按 OpenID 向关注者发送模板消息；也可使用公众平台的接口测试号。',
    fields: {
      base_url: apiBase,
      app_id: { label: 'AppID（开发者 ID）' },
      app_secret: { label: 'AppSecret（开发者密码）' },
      template_id: { label: '模板 ID' },
      title_key: { label: '标题字段名' },
      content_key: { label: '内容字段名' },
    },
    bindingFields: {
      openids: { label: '接收者 OpenID' },
      template_id: { label: '覆盖模板 ID', help: '留空 = 使用渠道配置的模板' },
    },
  },
  webhook: {
    label: '自定义 Webhook',
    description: '调用任意 HTTP 接口，可自定义请求方法、请求头和请求体；返回 2xx 即视为送达。',
    fields: {
      url: { label: 'URL' },
      method: { label: '请求方法' },
      headers: { label: '请求头', help: '每行一个「Name: Value」；和密码一样保密保存' },
      body_template: {
        label: '请求体模板',
        help: "可使用 {'{{'}title{'}}'}、{'{{'}text{'}}'} 等占位符；留空 = 发送包含消息内容的 JSON 文档",
      },
      content_type: { label: 'Content-Type' },
      signing_secret: { label: '签名密钥', help: '设置后，请求会带上 Standard Webhooks 的 webhook-id / webhook-timestamp / webhook-signature 请求头' },
    },
  },
  inbox: {
    label: '站内信',
    description: '投递到 PushNest 用户的站内信收件箱，在控制台实时显示。',
    bindingFields: {
      usernames: { label: '用户' },
      public_preview: { label: '公开预览链接', help: '持有链接的任何人都能阅读该消息；每位收件人都可以撤销链接' },
      blacklist_regex: { label: '黑名单（正则表达式）', help: '标题或正文匹配时不保存该消息（仍算作投递成功）' },
    },
  },
  wecom_app: {
    label: '企业微信应用',
    description: '以企业微信自建应用向企业内的成员、部门或标签发送应用消息。',
    fields: {
      base_url: apiBase,
      corp_id: { label: '企业 ID（CorpID）' },
      corp_secret: { label: '应用 Secret' },
      agent_id: { label: '应用 AgentId' },
      safe: { label: '保密消息', help: '带水印，不能分享转发' },
      enable_duplicate_check: { label: '过滤重复消息' },
      duplicate_check_interval: { label: '重复消息检查间隔（秒）' },
    },
    bindingFields: {
      touser: { label: '成员 ID', help: "或填 {'@'}all 发送给全部成员" },
      toparty: { label: '部门 ID' },
      totag: { label: '标签 ID' },
      msgtype: { label: '消息类型', help: 'Markdown 消息只在企业微信客户端显示，在微信插件中不显示', options: msgtype },
    },
  },
  feishu: {
    label: '飞书机器人',
    description: "飞书 / Lark 群自定义机器人 Webhook，支持签名校验及 {'@'}用户 / {'@'}所有人。",
    fields: {
      base_url: { ...apiBase, help: 'Lark 国际版：https://open.larksuite.com' },
      token: { label: 'Webhook Token', help: 'Webhook 地址的最后一段路径' },
      secret: { label: '签名密钥', help: '机器人安全设置启用了「签名校验」时填写' },
      keyword,
    },
    bindingFields: {
      msg_type: {
        label: '消息类型',
        help: '自动 = 消息带有 Markdown 正文时发送 Markdown 消息卡片',
        options: { auto: '自动', interactive: '消息卡片（interactive）', post: '富文本（post）', text: '纯文本' },
      },
    },
  },
  telegram: {
    label: 'Telegram 机器人',
    description: '通过 Bot 向私聊、群组或频道发送消息。',
    fields: {
      base_url: apiBase,
      bot_token: { label: 'Bot Token', help: "从 {'@'}BotFather 获取，形如 123456:ABC-DEF…" },
      chat_id: { label: 'Chat ID', help: "数字 ID（群组以 -100 开头）或 {'@'}频道用户名" },
      message_thread_id: { label: '话题（Topic）ID' },
      disable_web_page_preview: { label: '禁用链接预览' },
      disable_notification: { label: '静默发送' },
    },
  },
  bark: {
    label: 'Bark（iOS）',
    description: '通过 Bark App 推送到 iPhone。',
    fields: {
      base_url: serverUrl,
      device_key: { label: '设备 Key' },
      level: {
        label: '中断级别',
        options: { active: '默认（active）', timeSensitive: '时效性通知', passive: '被动（不亮屏）', critical: '重要警告' },
      },
      sound: { label: '铃声', help: '例如 bell.caf；留空 = 默认铃声' },
      group: { label: '分组' },
      icon: { label: '图标 URL' },
      archive: { label: '保存到 Bark 历史记录' },
      encryption_key: { label: '加密密钥', help: 'App 中推送加密的密钥（16、24 或 32 个字符：AES-128/192/256，CBC 模式）' },
      encryption_iv: { label: '加密 IV', help: '16 个字符，与 App 中的设置相同' },
    },
  },
  ntfy: {
    label: 'ntfy',
    description: '发布到 ntfy 主题（手机和桌面客户端订阅该主题即可收到）。',
    fields: {
      base_url: serverUrl,
      topic: { label: '主题' },
      access_token: { label: 'Access Token', help: 'tk_ 开头；也可改用用户名和密码' },
      username: { label: '用户名' },
      password: { label: '密码' },
      priority: { label: '优先级', help: '1 = 最低 … 5 = 最高' },
      tags: { label: '标签', help: 'Emoji 短代码或普通词语' },
      icon: { label: '图标 URL', help: '随通知显示的 JPEG 或 PNG 图片' },
      actions: { label: '操作按钮', help: '最多 3 个，ntfy 简写格式：view, 打开, https://…; http, 关闭, https://…' },
    },
  },
  gotify: {
    label: 'Gotify',
    description: '推送到自建的 Gotify 服务器。',
    fields: {
      base_url: { ...serverUrl, help: '例如 https://gotify.example.com' },
      app_token: { label: '应用 Token' },
      priority: { label: '优先级', help: '0 … 10' },
    },
  },
  pushme: {
    label: 'PushMe',
    description: '推送到 PushMe App（Android、iOS、桌面端）。',
    fields: {
      base_url: serverUrl,
      push_key: { label: 'Push Key' },
    },
  },
  aliyun_sms: {
    label: '阿里云短信',
    description: '使用已审核通过的短信签名和模板发送短信。',
    fields: {
      base_url: apiBase,
      access_key_id: { label: 'AccessKey ID' },
      access_key_secret: { label: 'AccessKey Secret' },
      region_id: { label: '地域 ID' },
      sign_name: { label: '短信签名', help: '已审核通过的短信签名名称' },
      template_code: { label: '模板 CODE', help: '例如 SMS_123456789' },
      content_param: { label: '内容变量', help: "接收消息正文的模板变量（${'{'}…{'}'}）" },
      title_param: { label: '标题变量', help: '可选，接收消息标题的模板变量' },
    },
    bindingFields: {
      phone_numbers: { label: '手机号码' },
      template_code: { label: '覆盖模板 CODE' },
    },
  },
  slack: {
    label: 'Slack',
    description: '通过 Incoming Webhook 发送到 Slack 频道。',
    fields: {
      base_url: { label: 'Hooks 地址', help: 'GovSlack：https://hooks.slack-gov.com' },
      webhook_path: { label: 'Webhook 路径', help: 'Webhook 地址中 /services/ 之后的部分：T…/B…/…' },
      username: { label: '显示名称', help: '仅适用于旧版 Webhook' },
      icon_emoji: { label: '图标 Emoji', help: '仅适用于旧版 Webhook，例如 :bell:' },
    },
  },
  discord: {
    label: 'Discord',
    description: '通过 Webhook 发送到 Discord 频道。',
    fields: {
      base_url: apiBase,
      webhook_id: { label: 'Webhook ID', help: 'Webhook 地址中 /webhooks/ 后面的那串数字' },
      webhook_token: { label: 'Webhook Token', help: 'Webhook 地址的最后一段' },
      username: { label: '覆盖显示名称' },
      avatar_url: { label: '覆盖头像 URL' },
      thread_id: { label: '子区（Thread）ID', help: '发送到指定的子区' },
    },
  },
}

/** Every channel that speaks HTTP may send through its own proxy (the API lists those fields last). */
const proxyWords: Record<string, CatalogField> = {
  proxy_url: { label: 'HTTP(S) 代理', help: '例如 http://proxy.example.com:3128；留空 = 直接连接' },
  proxy_credentials: { label: '代理认证', help: 'user:password，代理要求认证时填写' },
}
for (const key of ['dingtalk', 'feishu', 'wecom_robot', 'wecom_app', 'wechat_oa', 'webhook', 'telegram', 'bark', 'ntfy', 'gotify', 'pushme', 'aliyun_sms', 'slack', 'discord']) {
  const type = zhCatalog[key]
  if (type) type.fields = { ...type.fields, ...proxyWords }
}
