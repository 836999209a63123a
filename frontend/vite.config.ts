import { fileURLToPath, URL } from 'node:url'
import tailwindcss from '@tailwindcss/vite'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// The console can run on its own against a remote API: `PUSHNEST_API=http://host:8000 npm run dev`.
const api = process.env.PUSHNEST_API ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [vue(), tailwindcss()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '^/api/': { target: api, changeOrigin: true },
    },
  },
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: false, chunkSizeWarningLimit: 900 },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
})
