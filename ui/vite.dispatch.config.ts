import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * The dispatcher console, built from `dispatch.html` into `dist-dispatch/`, which head office
 * serves at `/` (`fieldwork-headoffice serve --ui-dir ui/dist-dispatch`). Absolute asset URLs
 * (`/assets/…`) so every page of the single-page app finds them; no inline scripts or `data:`
 * URLs, so head office's strict CSP (`default-src 'self'`) holds.
 */
function entryAsIndex(): Plugin {
  return {
    name: 'fieldwork-dispatch-index',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const page = bundle['dispatch.html'];
      if (page) page.fileName = 'index.html';
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [svelte(), entryAsIndex()],
  clearScreen: false,
  server: {
    port: 1421,
    strictPort: true,
    // `npm run dev:dispatch` against a head office on :8080 (`make` builds it).
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  build: {
    outDir: 'dist-dispatch',
    emptyOutDir: true,
    target: 'es2021',
    assetsInlineLimit: 0,
    sourcemap: false,
    // The technician's entry (`index.html`) is not part of the console.
    rollupOptions: { input: 'dispatch.html' },
  },
});
