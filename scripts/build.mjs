// Builds the three targets: main + CLI (Node/Electron, esbuild), preload (Electron sandbox, esbuild)
// and the renderer (browser, Vite). Typechecking is separate (`npm run typecheck`): esbuild and Vite
// only strip types, which keeps a build under a few seconds.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
rmSync(out, { recursive: true, force: true });

// Native and optional modules stay outside the bundle: better-sqlite3 and @ngrok/ngrok load .node files, and ws
// probes for optional native helpers (bufferutil, utf-8-validate) at run time.
const nodeExternals = ['electron', 'electron-updater', 'better-sqlite3', 'ws', 'bufferutil', 'utf-8-validate', '@ngrok/ngrok'];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  external: nodeExternals,
  define: { __SWITCHBOARD_VERSION__: JSON.stringify(version) },
};

await Promise.all([
  esbuild({ ...common, entryPoints: { index: 'main/index.ts' }, outdir: path.join(out, 'main'), outExtension: { '.js': '.cjs' } }),
  // The gateway's utility process in the desktop app (main/app/gateway-host.ts forks it by path).
  esbuild({ ...common, entryPoints: { 'gateway-process': 'main/app/gateway-entry.ts' }, outdir: path.join(out, 'main'), outExtension: { '.js': '.cjs' } }),
  esbuild({ ...common, entryPoints: { cli: 'main/cli.ts' }, outdir: path.join(out, 'main'), outExtension: { '.js': '.cjs' } }),
  // Loaded by path into a worker thread (main/store/checkpointer.ts), so a file of its own.
  esbuild({ ...common, entryPoints: { 'checkpoint-worker': 'main/store/checkpoint-worker.ts' }, outdir: path.join(out, 'main'), outExtension: { '.js': '.cjs' } }),
  esbuild({ ...common, entryPoints: { preload: 'preload/index.ts' }, outdir: path.join(out, 'preload'), outExtension: { '.js': '.cjs' } }),
  viteBuild({ configFile: path.join(root, 'vite.config.ts'), root: path.join(root, 'renderer'), logLevel: 'warn' }),
]);

// The sandbox's sample files (main/whatsapp/sample-media.ts finds them beside the bundle).
cpSync(path.join(root, 'main', 'whatsapp', 'sample-media'), path.join(out, 'main', 'sample-media'), { recursive: true, filter: (file) => !file.endsWith('.md') });
// The tray's icon.
cpSync(path.join(root, 'build', 'icon.png'), path.join(out, 'main', 'icon.png'));
