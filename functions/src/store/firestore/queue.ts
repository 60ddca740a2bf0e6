/**
 * Runs work for the same key one after another, within this process. Firestore transactions on
 * one document that overlap abort and retry with a back-off of a second and more (on the
 * emulator they first wait out a 2 s lock timeout), so a burst from one instance is queued here
 * instead. Across instances the transactions still decide, exactly as before.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** `fn` learns whether it had to wait, i.e. whether what it read before queueing may be stale. */
  run<T>(key: string, fn: (waited: boolean) => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    const result = before === undefined ? fn(false) : before.then(() => fn(true));
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
