import { defineConfig } from 'vite';

// Preact through esbuild's automatic JSX runtime: no Babel, no CDN; everything is bundled into dist/.
export default defineConfig({
  base: '/ui/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2020',
  },
  server: {
    // `npm run dev` proxies the API to a master: COLABO_MASTER=https://localhost:8140 npm run dev
    proxy: process.env.COLABO_MASTER ? { '/api': { target: process.env.COLABO_MASTER, secure: false } } : undefined,
  },
});
