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
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true, target: 'es2022' },
});
