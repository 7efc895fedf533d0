import type { ServerEvent } from '../../shared/contract';

/**
 * Passes each event once, in order: anything at or below the last delivered `seq` is a replay
 * (catch-up overlapping live events) and is dropped.
 */
export class SeqGate {
  constructor(private last: number) {}

  get lastSeq(): number {
    return this.last;
  }

  /** Restarts counting after a resync. */
  reset(seq: number): void {
    this.last = seq;
  }

  admit(event: ServerEvent): boolean {
    if (event.seq <= this.last) return false;
    this.last = event.seq;
    return true;
  }
}
