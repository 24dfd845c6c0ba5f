import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into web/dist and served by the API process (api/web.ts); `npm run dev -w web` proxies the API.
export default defineConfig({
  root: __dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { '/v1': 'http://localhost:3000', '/openapi.json': 'http://localhost:3000' },
  },
});
