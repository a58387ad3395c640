// vite.config.js — builds web/dist (hashed files under dist/assets/) for embedding into the server
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// During `npm run dev`, API calls go to a locally running `dangjian serve`.
const apiTarget = process.env.DJ_API || 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    // Element Plus is imported whole (one ~1 MB chunk); that is expected.
    chunkSizeWarningLimit: 1500,
    // Keep everything as files: the CSP allows data: only for images.
    assetsInlineLimit: 0,
    rolldownOptions: {
      output: {
        // Vendor chunks change rarely, so browsers keep them cached across our releases.
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router)[\\/]/, priority: 3 },
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|@popperjs|@ctrl|@vueuse|async-validator|dayjs|lodash-es|lodash-unified|memoize-one|normalize-wheel-es)[\\/]/, priority: 2 },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/, priority: 2 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
})
