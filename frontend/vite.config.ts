import { fileURLToPath, URL } from 'node:url'
import tailwindcss from '@tailwindcss/vite'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// The console can run on its own against a remote API: `PUSHNEST_API=http://host:8000 npm run dev`.
const api = process.env.PUSHNEST_API ?? 'http://127.0.0.1:8000'

export default defineConfig({
  // Relative references: one build works under any path prefix the server is given
  // (PUSHNEST_PATH_PREFIX); the server puts a <base href> naming it into index.html.
  base: './',
  plugins: [vue(), tailwindcss()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '^/api/': { target: api, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    // GraphiQL (graphiql.html, served by the API at GET /graphql for browsers) brings Monaco: its
    // editor chunk is large, and loaded only by that page.
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      // React libraries under GraphiQL mark their modules "use client" (for server components),
      // which means nothing in a browser bundle: one warning per module, hiding real ones.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning)
      },
      input: {
        console: fileURLToPath(new URL('./index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('./graphiql.html', import.meta.url)),
      },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
})
