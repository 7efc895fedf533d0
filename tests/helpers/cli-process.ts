import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { QUIET_SANDBOX } from './test-gateway';

/** The built CLI; tests of the real process need `npm run build` first (npm test does it). */
export const CLI = path.join(import.meta.dirname, '..', '..', 'dist', 'main', 'cli.cjs');

/** Fails with a clear message when the build is missing, instead of a confusing spawn error. */
export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test builds before testing)`);
}

/** A running CLI process with its output so far. */
export type CliProcess = { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; exited: Promise<number | null> };

/** Starts the CLI with `args`, environment overrides merged over a clean environment. */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  requireBuild();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WHATSAPP_') && !key.startsWith('SWITCHBOARD_')));
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...clean, ...QUIET_SANDBOX, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for `serve` to print its `listening` line and returns the URL. */
export function waitForListening(cli: CliProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = /^listening (\S+)$/m.exec(cli.stdout());
      if (match?.[1]) {
        cli.child.stdout.off('data', check);
        resolve(match[1]);
      }
    };
    cli.child.stdout.on('data', check);
    void cli.exited.then((code) => reject(new Error(`serve exited with ${code}: ${cli.stderr()}`)));
    check();
  });
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}
