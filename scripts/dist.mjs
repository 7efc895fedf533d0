// `npm run dist`: the installers for this platform (AppImage and deb, dmg, or nsis). electron-builder
// downloads Electron's binary for each target (and the AppImage and NSIS tools) from GitHub or
// ELECTRON_MIRROR: where that host cannot be reached it says so in one line instead of a stack trace.
// SWITCHBOARD_UPDATE_URL sets the update feed the installed app checks (scripts/update-feed.mjs).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateFeedArgs } from './update-feed.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const host = process.env.ELECTRON_MIRROR || 'https://github.com/electron/electron/releases/';

try {
  await fetch(host, { method: 'HEAD', signal: AbortSignal.timeout(8_000) });
} catch {
  console.error(`npm run dist needs Electron's download host (${host}) or an ELECTRON_MIRROR, which this machine cannot reach; npm test checks the packaged app with a stand-in Electron instead.`);
  process.exit(1);
}
let feed;
try {
  feed = updateFeedArgs(process.env);
} catch (error) {
  console.error(`npm run dist: ${error.message}`);
  process.exit(2);
}
if (feed.length === 0) console.log('npm run dist: no SWITCHBOARD_UPDATE_URL, so these installers will not look for updates');
const builder = require.resolve('electron-builder/cli.js');
// Builds (and never uploads: the feed's files are published by whoever hosts it).
const child = spawn(process.execPath, [builder, ...feed, '--publish', 'never', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
