// Child processes of the benchmarks: servers that announce `listening <url>`, and one-shot runs
// that print one JSON line.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where every benchmark runs. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts a server script and resolves with it and its URL once it prints `listening <url>`. */
export function startServer(args, env = {}, stderr = 'inherit') {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', stderr] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /^listening (\S+)$/m.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

/** Runs a script to its end and resolves with the JSON of its last output line. */
export function runJson(args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  return new Promise((resolve) => child.on('exit', () => resolve(JSON.parse(out.trim().split('\n').at(-1)))));
}

/** Stops a child with SIGTERM and waits for it to exit. */
export async function stopChild(child) {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

let ticksPerSecond;

/**
 * CPU time (user + system, all threads) a process has used so far, in seconds; null where
 * `/proc` is not there to read it (not Linux).
 */
export function cpuSeconds(pid) {
  try {
    // The command name (field 2) may contain spaces and parentheses: count fields after its last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** Runs a script to its end and resolves with its standard output (rejects on a non-zero exit). */
export function runOutput(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}
