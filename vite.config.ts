import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * V8's file-wide compile hint (Chromium 136 and later) on the entry chunk, after minification
 * (which drops comments): the whole bundle is compiled on a background thread while it streams
 * in, instead of each function on the main thread the first time it runs. The source map moves
 * down the one line it adds.
 */
function compileHint(): Plugin {
  return {
    name: 'switchboard:compile-hint',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || !chunk.isEntry) continue;
        chunk.code = `//# allFunctionsCalledOnLoad\n${chunk.code}`;
        if (chunk.map) chunk.map.mappings = `;${chunk.map.mappings}`;
      }
    },
  };
}

// The renderer build. `base: './'` keeps asset URLs relative, so the same build loads from
// file:// in Electron and from the gateway over HTTP in browser mode.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), compileHint()],
  define: { __SWITCHBOARD_VERSION__: JSON.stringify(version) },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
});
