// `npm start`: the desktop app when the Electron binary is present (or can be fetched), else
// browser mode: the same gateway under Node, serving the built renderer.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// Resolving `electron` downloads its binary on first use (Electron >= 42): do it in a child so a
// failed download's output stays out of the way, and keep only the verdict.
function electronBinary() {
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { cwd: root, encoding: 'utf8' });
  return probe.status === 0 && probe.stdout && existsSync(probe.stdout) ? probe.stdout : null;
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const binary = electronBinary();
if (binary) {
  // The app directory, not the bundle: Electron then takes the name "Switchboard" (productName)
  // from package.json, and with it the data dir the README names.
  run(binary, [root]);
} else {
  console.log('Electron binary not available (not installed and cannot be downloaded): starting browser mode instead.');
  run(process.execPath, [require.resolve(path.join(root, 'dist', 'main', 'cli.cjs')), 'serve', ...process.argv.slice(2)]);
}
