import type { Component } from 'vue'
import { Activity, Bell, CalendarClock, FileText, KeyRound, LayoutDashboard, ListChecks, Radio, ScrollText, Settings, Users } from 'lucide-vue-next'

export interface NavItem {
  name: string
  label: string
  icon: Component
  adminOnly?: boolean
}

export interface NavGroup {
  label: string
  items: NavItem[]
}

/** The sidebar, grouped the way people work: send and watch, configure, administer. */
export const NAV: NavGroup[] = [
  {
    label: 'nav.sending',
    items: [
      { name: 'dashboard', label: 'nav.dashboard', icon: LayoutDashboard },
      { name: 'messages', label: 'nav.messages', icon: Activity },
      { name: 'inbox', label: 'nav.inbox', icon: Bell },
    ],
  },
  {
    label: 'nav.configuration',
    items: [
      { name: 'tasks', label: 'nav.tasks', icon: ListChecks },
      { name: 'templates', label: 'nav.templates', icon: FileText },
      { name: 'channels', label: 'nav.channels', icon: Radio },
      { name: 'cron', label: 'nav.cron', icon: CalendarClock },
      { name: 'apiKeys', label: 'nav.apiKeys', icon: KeyRound },
    ],
  },
  {
    label: 'nav.administration',
    items: [
      { name: 'users', label: 'nav.users', icon: Users, adminOnly: true },
      { name: 'audit', label: 'nav.audit', icon: ScrollText, adminOnly: true },
      { name: 'settings', label: 'nav.settings', icon: Settings },
    ],
  },
]
