import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The renderer build. `base: './'` keeps asset URLs relative, so the same build loads from
// file:// in Electron and from the gateway over HTTP in browser mode.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  define: { __SWITCHBOARD_VERSION__: JSON.stringify(version) },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // V8's file-wide compile hint (Chromium 136 and later), added after minification (which drops
    // comments): the whole bundle is compiled on a background thread while it streams in, instead
    // of each function on the main thread the first time it runs.
    rolldownOptions: { output: { postBanner: (chunk) => (chunk.isEntry ? '//# allFunctionsCalledOnLoad' : '') } },
  },
});
