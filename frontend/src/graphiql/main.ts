import { createElement } from 'react'
import { createRoot } from 'react-dom/client'
import { GraphiQL } from 'graphiql'
// Monaco's editor, JSON and GraphQL workers, bundled by Vite as files of this build (no CDN).
import 'graphiql/setup-workers/vite'
import 'graphiql/style.css'
import { createPushNestFetcher } from './fetcher'
import { apiUrl, socketUrl } from '@/lib/apiUrl'

// This page is served at the GraphQL endpoint itself (under the path prefix, if any).
const fetcher = createPushNestFetcher({ httpUrl: apiUrl('graphql'), wsUrl: socketUrl('graphql') })

// An API key or token goes in the Authorization header below; left empty, the console's session
// (if this browser is signed in to the console) is used. Headers are never saved in storage.
const defaultHeaders = JSON.stringify({ Authorization: '' }, null, 2)

const root = document.getElementById('graphiql')
if (root) {
  createRoot(root).render(
    createElement(GraphiQL, { fetcher, defaultHeaders, defaultEditorToolsVisibility: 'headers', shouldPersistHeaders: false }),
  )
}
