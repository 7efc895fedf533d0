#!/usr/bin/env node
// Entry point of `npx switchboard`: runs the CLI built by `npm run build` (done by `npm install`).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { unsupportedNodeMessage } from './node-version.mjs';

// Before the CLI loads its native database module, which crashes an unsupported Node outright.
const unsupported = unsupportedNodeMessage(process.versions.node);
if (unsupported) {
  process.stderr.write(`${unsupported}\n`);
  process.exit(2);
}
const cli = fileURLToPath(new URL('../dist/main/cli.cjs', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('switchboard: not built yet: run npm run build\n');
  process.exit(2);
}
createRequire(import.meta.url)(cli);
