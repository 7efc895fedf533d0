import { MAX_PAGE_SIZE } from '../../shared/contract';
import type { EventLog } from '../store/event-log';
import type { EventBus } from './event-bus';

/**
 * Publishes events that another process appended to the shared log (`switchboard erase` beside a
 * running gateway): this process publishes its own right after each commit, so it knows every seq
 * it has published; a signal from the other process publishes those it has not, in order.
 */
export class ForeignEventRelay {
  // Every seq up to `through` has been published; `ahead` holds published seqs past a gap.
  private through: number;
  private readonly ahead = new Set<number>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly log: EventLog,
    private readonly bus: EventBus,
  ) {
    this.through = log.head();
    this.unsubscribe = bus.subscribeBatch((events) => {
      for (const event of events) if (event.seq > this.through) this.ahead.add(event.seq);
      while (this.ahead.delete(this.through + 1)) this.through += 1;
    });
  }

  /** Publishes what the log holds that was never published here. */
  relay(): void {
    for (;;) {
      const missed = this.log.after(this.through, MAX_PAGE_SIZE).filter((event) => !this.ahead.has(event.seq));
      if (missed.length === 0) return;
      this.bus.publish(missed);
      // Pruned or rolled-back seqs leave holes no event fills: step over them.
      const last = missed.at(-1)?.seq ?? this.through;
      if (this.through < last) {
        for (let seq = this.through + 1; seq <= last; seq += 1) this.ahead.add(seq);
        while (this.ahead.delete(this.through + 1)) this.through += 1;
      }
    }
  }

  stop(): void {
    this.unsubscribe();
  }
}
