/**
 * Runs async work one piece at a time, in the order asked. The connection settings and the
 * workbench settings share one: both read, change and rewrite the one secret store, and two
 * interleaved read-modify-writes would lose the first one's change.
 */
export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
