import type { Store } from '../store';
import type { EventBus } from './event-bus';
import { pruneHistory } from '../store/erasure';
import { describeStorageFailure, isStorageFailure } from '../store/storage-failure';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Messages deleted per transaction: one round stays well under a frame of the event loop. */
const ROUND = 2_000;

/**
 * Deletes history older than the retention setting (`SWITCHBOARD_HISTORY_RETENTION_DAYS`; unset
 * keeps everything), the way erasure does, a round per turn of the event loop so that requests
 * and webhooks are served in between. Run at start and hourly.
 */
export class HistoryRetention {
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly retentionDays: number | null,
    private readonly mediaDir: string,
    private readonly bus: EventBus,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Ends a run between two rounds (shutdown): the rest is deleted at the next run. */
  stop(): void {
    this.stopped = true;
  }

  /** Deletes what is due; resolves with how many messages went (a run already going is joined). */
  run(): Promise<number> {
    if (this.retentionDays === null) return Promise.resolve(0);
    this.running ??= this.rounds(this.now() - this.retentionDays * DAY_MS).finally(() => (this.running = null));
    return this.running;
  }

  private async rounds(cutoffMs: number): Promise<number> {
    let messages = 0;
    let conversations = 0;
    while (!this.stopped) {
      let round;
      try {
        round = pruneHistory(this.store.db, cutoffMs, ROUND, this.mediaDir);
      } catch (error) {
        if (!isStorageFailure(error)) throw error;
        this.log(`history retention: paused, ${describeStorageFailure(error)}; next hour`);
        break;
      }
      this.bus.publish(round.events);
      messages += round.messages;
      conversations += round.conversations;
      if (round.messages < ROUND) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (messages > 0) this.log(`history retention: removed ${messages} messages and ${conversations} conversations older than ${this.retentionDays} days`);
    return messages;
  }
}
