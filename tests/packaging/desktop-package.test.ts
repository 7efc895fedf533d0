import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { listPackage } from '@electron/asar';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateFeed, updateFeedArgs } from '../../scripts/update-feed.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const config = load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const UPDATE_URL = 'https://updates.switchboard.example/desktop/';
let work = '';
let appDir = '';
let asarFiles: string[] = [];

// electron-builder packs the real app around an Electron it is given: a stand-in here (Electron's
// binary cannot be downloaded), so only fuse flipping, which edits that binary, is left out.
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'switchboard-package-'));
  const standIn = path.join(work, 'electron-dist');
  mkdirSync(path.join(standIn, 'resources'), { recursive: true });
  writeFileSync(path.join(standIn, 'electron'), '#!/bin/sh\necho "stand-in Electron"\n');
  chmodSync(path.join(standIn, 'electron'), 0o755);
  const configFile = path.join(work, 'electron-builder.json');
  writeFileSync(configFile, JSON.stringify({ ...config, electronFuses: null, electronDist: standIn, directories: { ...(config.directories as object), output: path.join(work, 'out') } }));
  // With an update feed, as `npm run dist` passes it when SWITCHBOARD_UPDATE_URL is set.
  const feed = updateFeedArgs({ SWITCHBOARD_UPDATE_URL: UPDATE_URL });
  const built = spawnSync(process.execPath, [require.resolve('electron-builder/cli.js'), ...feed, '--publish', 'never', '--dir', '--linux', '--x64', '--config', configFile], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`electron-builder --dir failed:\n${built.stdout}\n${built.stderr}`);
  appDir = path.join(work, 'out', 'linux-unpacked');
  asarFiles = listPackage(path.join(appDir, 'resources', 'app.asar'), { isPack: false });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packaged desktop app (electron-builder --dir, linux x64)', () => {
  it('holds the built app only: main, the checkpoint worker, preload, renderer, sample files and the runtime modules', () => {
    for (const file of ['/package.json', '/dist/main/index.cjs', '/dist/main/checkpoint-worker.cjs', '/dist/main/gateway-process.cjs', '/dist/preload/preload.cjs', '/dist/renderer/index.html', '/dist/main/sample-media/photo.jpg', '/dist/main/icon.png', '/node_modules/better-sqlite3/lib/index.js', '/node_modules/ws/index.js', '/node_modules/electron-updater/out/main.js', '/node_modules/@ngrok/ngrok/index.js']) {
      expect(asarFiles).toContain(file);
    }
    const forbidden = asarFiles.filter(
      (file) =>
        file.endsWith('.map') ||
        file.endsWith('.ts') && !file.endsWith('.d.ts') ||
        /^\/(main|renderer|preload|shared|tests|scripts|bench|build|\.ci)\//.test(file) ||
        /\/(tsconfig[^/]*\.json|vitest\.config\.[a-z]+|electron-builder\.yml|eslint\.config\.[a-z]+)$/.test(file) ||
        file.startsWith('/node_modules/better-sqlite3/deps') ||
        file.startsWith('/node_modules/better-sqlite3/src') ||
        file.startsWith('/node_modules/node-addon-api') ||
        // The ngrok agent's other platforms: only the build machine's is installed, and shipped.
        /^\/node_modules\/@ngrok\/ngrok-(?!linux-x64-gnu(\/|$))/.test(file) ||
        // Bundled into the app's own files: never shipped twice.
        /^\/node_modules\/(react|react-dom|zustand|zod|virtua|electron|electron-builder|vitest|playwright-core)\//.test(file),
    );
    expect(forbidden).toEqual([]);
  });

  it('carries the update feed given at build time, which turns the app’s update checks on', () => {
    const feed = load(readFileSync(path.join(appDir, 'resources', 'app-update.yml'), 'utf8'));
    expect(feed).toMatchObject({ provider: 'generic', url: UPDATE_URL });
    expect(updateFeed({})).toBeNull();
    expect(() => updateFeed({ SWITCHBOARD_UPDATE_URL: 'http://updates.switchboard.example/' })).toThrow('SWITCHBOARD_UPDATE_URL must be https (updates are code the app will run): http://updates.switchboard.example/');
    expect(() => updateFeed({ SWITCHBOARD_UPDATE_URL: 'updates' })).toThrow('SWITCHBOARD_UPDATE_URL is not a URL: updates');
  });

  it('unpacks only the native binaries of the target platform (SQLite, the ngrok agent), which load', () => {
    const unpackedDir = path.join(appDir, 'resources', 'app.asar.unpacked');
    const unpacked = spawnSync('find', [unpackedDir, '-type', 'f'], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect(unpacked.map((file) => path.relative(unpackedDir, file))).toEqual(['node_modules/@ngrok/ngrok-linux-x64-gnu/ngrok.linux-x64-gnu.node', 'node_modules/better-sqlite3/prebuilds/linux-x64.node']);
    expect(asarFiles.filter((file) => file.includes('/prebuilds/'))).toEqual(['/node_modules/better-sqlite3/prebuilds/linux-x64.node']);
    const sqlite = require(path.join(unpackedDir, 'node_modules/better-sqlite3/prebuilds/linux-x64.node')) as { Database?: unknown };
    expect(typeof sqlite.Database).toBe('function');
    const ngrok = require(path.join(unpackedDir, 'node_modules/@ngrok/ngrok-linux-x64-gnu/ngrok.linux-x64-gnu.node')) as { forward?: unknown };
    expect(typeof ngrok.forward).toBe('function');
  });

  it('is named Switchboard, and configured with the fuses, targets and AppArmor profile a release needs', () => {
    expect(spawnSync('test', ['-x', path.join(appDir, 'switchboard')]).status).toBe(0);
    expect(config).toMatchObject({ appId: 'app.switchboard.desktop', productName: 'Switchboard', npmRebuild: false });
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config).toMatchObject({ linux: { target: ['AppImage', 'deb'] }, mac: { target: 'dmg' }, win: { target: 'nsis' } });
    const afterInstall = readFileSync(path.join(root, 'build', 'linux', 'after-install.sh'), 'utf8');
    expect(afterInstall).toContain('profile switchboard "/opt/Switchboard/switchboard" flags=(unconfined)');
    expect(afterInstall).toContain('userns,');
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { homepage?: string; author?: { email?: string } };
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.author?.email).toMatch(/@/);
  });
});
