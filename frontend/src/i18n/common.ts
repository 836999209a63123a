// Words shared by every page. Feature folders keep their own words in `features/<name>/i18n.ts`.
export const en = {
  common: {
    save: 'Save', cancel: 'Cancel', confirm: 'Confirm', delete: 'Delete', edit: 'Edit', create: 'Create',
    copy: 'Copy', copied: 'Copied', close: 'Close', loading: 'Loading…', loadMore: 'Load more', refresh: 'Refresh',
    search: 'Search', all: 'All', none: 'None', yes: 'Yes', no: 'No', enabled: 'Enabled', disabled: 'Disabled',
    actions: 'Actions', name: 'Name', type: 'Type', status: 'Status', createdAt: 'Created', updatedAt: 'Updated',
    saved: 'Saved', deleted: 'Deleted', networkError: 'The server cannot be reached. Check your connection and try again.',
    notFound: 'This page does not exist.', live: 'Live', reconnecting: 'Reconnecting…', back: 'Back', optional: 'optional', required: 'required', details: 'Details',
  },
  nav: {
    dashboard: 'Dashboard', messages: 'Send log', inbox: 'Inbox', tasks: 'Tasks', templates: 'Templates',
    channels: 'Channels', cron: 'Cron messages', apiKeys: 'API keys', users: 'Users', audit: 'Audit log',
    settings: 'Settings', signOut: 'Sign out', theme: 'Theme', light: 'Light', dark: 'Dark', auto: 'System',
    language: 'Language', sending: 'Sending', configuration: 'Configuration', administration: 'Administration',
  },
  status: {
    SCHEDULED: 'Scheduled', QUEUED: 'Queued', SENDING: 'Sending', RETRYING: 'Retrying', RATE_LIMITED: 'Rate limited',
    SUCCEEDED: 'Succeeded', FAILED: 'Failed', UNKNOWN: 'Unknown', PARTIAL: 'Partly failed',
  },
  auth: {
    title: 'Sign in', subtitle: 'Sign in to manage channels, tasks and deliveries.', username: 'Username',
    password: 'Password', submit: 'Sign in', failed: 'Sign-in failed',
  },
}

export const zh: typeof en = {
  common: {
    save: '保存', cancel: '取消', confirm: '确认', delete: '删除', edit: '编辑', create: '新建',
    copy: '复制', copied: '已复制', close: '关闭', loading: '加载中…', loadMore: '加载更多', refresh: '刷新',
    search: '搜索', all: '全部', none: '无', yes: '是', no: '否', enabled: '已启用', disabled: '已停用',
    actions: '操作', name: '名称', type: '类型', status: '状态', createdAt: '创建时间', updatedAt: '更新时间',
    saved: '已保存', deleted: '已删除', networkError: '无法连接服务器，请检查网络后重试。',
    notFound: '页面不存在。', live: '实时', reconnecting: '正在重连…', back: '返回', optional: '可选', required: '必填', details: '详情',
  },
  nav: {
    dashboard: '仪表盘', messages: '发送记录', inbox: '站内信', tasks: '任务', templates: '模板',
    channels: '渠道', cron: '定时消息', apiKeys: 'API 密钥', users: '用户', audit: '审计日志',
    settings: '设置', signOut: '退出登录', theme: '主题', light: '浅色', dark: '深色', auto: '跟随系统',
    language: '语言', sending: '发送', configuration: '配置', administration: '管理',
  },
  status: {
    SCHEDULED: '已计划', QUEUED: '排队中', SENDING: '发送中', RETRYING: '重试中', RATE_LIMITED: '限流中',
    SUCCEEDED: '成功', FAILED: '失败', UNKNOWN: '未知', PARTIAL: '部分失败',
  },
  auth: {
    title: '登录', subtitle: '登录后管理渠道、任务与投递。', username: '用户名',
    password: '密码', submit: '登录', failed: '登录失败',
  },
}
