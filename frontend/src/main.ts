import { createApp } from 'vue'
import urql from '@urql/vue'
import App from './App.vue'
import { client } from './lib/client'
import { i18n } from './i18n'
import { router } from './router'
import './lib/theme'
import './styles.css'

createApp(App).use(i18n).use(router).use(urql, client).mount('#app')
