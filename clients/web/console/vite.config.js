import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The built files are served by junheng-web from --console_dir (dist/).
// Relative asset paths, so the console also works under a path prefix.
export default defineConfig({
  base: './',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/element-plus')) return 'element-plus';
          if (id.includes('node_modules/')) return 'vendor';
          return undefined;
        },
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a running junheng-web (JUNHENG_WEB=http://127.0.0.1:PORT).
    proxy: process.env.JUNHENG_WEB ? { '/v1': process.env.JUNHENG_WEB } : undefined,
  },
});
