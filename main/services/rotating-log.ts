import { appendFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** How big the log grows before it rotates, and how many old ones are kept. */
export type RotationLimits = { maxBytes: number; keep: number };

export const DEFAULT_ROTATION: RotationLimits = { maxBytes: 5 * 1024 * 1024, keep: 3 };

/**
 * The desktop app's log in its data dir (`switchboard.log`, then `.1` … `.3`), so what happened
 * outlives the console an installed app does not have. Each line carries its ISO time. Writing
 * never throws: a full disk must not take the app down with it.
 */
export class RotatingLog {
  readonly file: string;
  private size: number;

  constructor(
    dir: string,
    private readonly limits: RotationLimits = DEFAULT_ROTATION,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, 'switchboard.log');
    this.size = existsSync(this.file) ? statSync(this.file).size : 0;
  }

  write(line: string): void {
    const entry = `${this.now().toISOString()} ${line.replace(/\n/g, '\n  ')}\n`;
    try {
      if (this.size + Buffer.byteLength(entry) > this.limits.maxBytes && this.size > 0) this.rotate();
      appendFileSync(this.file, entry, { mode: 0o600 });
      this.size += Buffer.byteLength(entry);
    } catch {
      // Nowhere left to say it: the console still has it.
    }
  }

  private rotate(): void {
    rmSync(`${this.file}.${this.limits.keep}`, { force: true });
    for (let n = this.limits.keep - 1; n >= 1; n -= 1) {
      if (existsSync(`${this.file}.${n}`)) renameSync(`${this.file}.${n}`, `${this.file}.${n + 1}`);
    }
    renameSync(this.file, `${this.file}.1`);
    this.size = 0;
  }
}
