import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// The technician app is served by Tauri from `dist/` (relative URLs, no remote assets). The dev
// server is only for `tauri dev`; a production build never reads it.
export default defineConfig({
  base: './',
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    watch: { ignored: ['**/src-tauri/**', '**/target/**'] },
  },
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK 2.40+ (Linux), WebView2 (Windows) and WKWebView (macOS 12+) all run ES2021.
    target: 'es2021',
    // Keep the bundle free of inline `data:` script/style URLs so the strict CSP holds.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // Dates are tested in a zone away from UTC so a local/UTC mix-up cannot pass unnoticed.
    env: { TZ: 'Asia/Shanghai' },
  },
});
